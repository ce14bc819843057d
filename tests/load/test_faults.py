"""How the load test finds the worker answering a submission: the connection's owner."""

import os
import socket
import sys

import pytest

from loadtest.faults import worker_serving

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/net/tcp")


def test_the_process_holding_the_server_end_is_found():
    with socket.create_server(("127.0.0.1", 0)) as server:
        server_port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", server_port)) as client:
            client_port = client.getsockname()[1]
            accepted, _ = server.accept()
            with accepted:
                assert worker_serving([os.getpid()], server_port, client_port) == os.getpid()
                # Another process does not hold it; an unknown connection is nobody's.
                assert worker_serving([os.getppid()], server_port, client_port) is None
                assert worker_serving([os.getpid()], server_port, client_port + 1) is None
