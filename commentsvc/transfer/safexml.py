"""Stream an XML file without trusting it: no DTD, no entities, no network.

Exports never need a DTD, and every XML bomb (billion laughs, quadratic blow-up,
XXE reading `/etc/passwd` or a URL) needs one, so a file that declares one is
refused before its first element is read: a parser built on this yields nothing
from it.
"""

from collections.abc import Iterable, Iterator
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from . import UnreadableFile


class UnsafeXML(UnreadableFile):
    """The file declares a DTD, entities or external references: refused, nothing read."""


class MalformedXML(UnreadableFile):
    """The file is not well-formed XML (truncated, wrong encoding, stray bytes)."""


def iterparse_safely(path, events: Iterable[str] = ("end",)) -> Iterator[tuple[str, object]]:
    """`iterparse` with DTDs, entities and external references forbidden.

    :raise UnsafeXML: the file declares a DTD or an entity.
    :raise MalformedXML: the file is not well-formed (with the line and column).
    """
    try:
        yield from iterparse(
            str(path), tuple(events), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise UnsafeXML(
            f"{path}: refused, the file declares a DTD or entities ({type(exc).__name__}); "
            "exports never need one and XML bombs do"
        ) from None
    except ParseError as exc:
        raise MalformedXML(f"{path}: not well-formed XML ({exc})") from None
