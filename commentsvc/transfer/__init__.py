"""Parsers for other tools' exports (and our own): files in, plain records out.

Nothing here touches the database or Flask; `services.importing` stores the records.
"""
