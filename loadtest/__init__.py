"""The zero-loss load test: two gunicorn instances on a throwaway PostgreSQL and Redis,
mixed traffic, and faults (a worker killed, Redis and the database stopped) during it.

`python -m loadtest` (or `make loadtest`) runs it; see README.md, "The load test".
"""
