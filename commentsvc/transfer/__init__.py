"""Parsers for other tools' exports (and our own): files in, plain records out.

Nothing here touches the database or Flask; `services.importing` stores the records.
"""


class UnreadableFile(ValueError):
    """The file is not what its format promises, or is hostile (entities, DTDs): import nothing."""
