"""Hardened XML loading and namespace helpers.

Uploaded diagrams are hostile until proven otherwise: the lxml parser is configured
explicitly (no entities, no DTD, no network, no huge trees), the byte size is checked
before parsing, any DOCTYPE is refused, and depth/text/element-count limits apply.
``xinclude()`` is never called.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass

from lxml import etree

from bpmn_engine.bpmn.issues import BpmnParseError, error

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
ACTIVITI_NS = "http://activiti.org/bpmn"
FLOWABLE_NS = "http://flowable.org/bpmn"

BPMN_PREFIX = "{" + BPMN_NS + "}"
_BPMN_PREFIX_LEN = len(BPMN_PREFIX)


@dataclass(frozen=True, kw_only=True)
class ParserLimits:
    """Resource limits applied to every document (sizes in bytes/characters)."""

    max_bytes: int = 10 * 1024 * 1024
    max_depth: int = 256
    max_text_length: int = 1_000_000
    max_elements: int = 200_000


DEFAULT_LIMITS = ParserLimits()
_LIBXML_MAX_DEPTH = 256  # libxml2's own limit without huge_tree
_local = threading.local()
_XML_DECL_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?)\sencoding\s*=\s*([\"'])[^\"']*\2")


def _parser() -> etree.XMLParser:
    """One hardened parser per thread (lxml parsers must not be shared across threads)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


def _fail(code: str, message: str, line: int | None = None) -> BpmnParseError:
    return BpmnParseError([error(code, message, None, line)])


def read_source(source: bytes | str | os.PathLike[str], limits: ParserLimits) -> bytes:
    """The document bytes, refusing anything over ``limits.max_bytes`` before reading it all.

    A ``str`` is always XML text (one that is no XML fails to parse; it is never taken
    for a file name); a file is read only when given as a path object (``pathlib.Path``).
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str):
        if len(source) > limits.max_bytes:
            raise _too_big(len(source), limits)
        # lxml refuses str input with an encoding declaration: re-encode as UTF-8.
        data = _XML_DECL_ENCODING.sub(r"\1", source, count=1).encode("utf-8")
    else:
        data = _read_file(os.fspath(source), limits)
    if len(data) > limits.max_bytes:
        raise _too_big(len(data), limits)
    return data


def _read_file(path: str, limits: ParserLimits) -> bytes:
    try:
        size = os.stat(path).st_size
        if size > limits.max_bytes:
            raise _too_big(size, limits)
        with open(path, "rb") as handle:
            return handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise _fail(
            "unreadable-file", f"Expected to read file '{path}', but {exc.strerror}"
        ) from exc


def _too_big(size: int, limits: ParserLimits) -> BpmnParseError:
    return _fail(
        "document-too-large",
        f"Expected a diagram of at most {limits.max_bytes} bytes, but it has {size} bytes",
    )


def load_xml(data: bytes, limits: ParserLimits = DEFAULT_LIMITS) -> etree._Element:
    """Parse ``data`` with the hardened parser and enforce the structural limits."""
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, data) from None
    except (ValueError, MemoryError) as exc:  # e.g. unsupported encoding
        raise _fail("not-xml", f"Expected an XML document, but {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _doctype_refused()
    _check_structure(root, limits)
    return root


def _doctype_refused() -> BpmnParseError:
    return _fail(
        "doctype-forbidden",
        "Expected a BPMN document without DOCTYPE, but it declares one "
        "(DTDs and entities are refused for security)",
        1,
    )


def _syntax_error(exc: etree.XMLSyntaxError, data: bytes) -> BpmnParseError:
    head = data[:65536]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        return _doctype_refused()
    message = str(exc.msg or exc).strip()
    if "Excessive depth" in message:
        return _fail(
            "document-too-deep",
            f"Expected elements nested at most {_LIBXML_MAX_DEPTH} levels deep, but the "
            "document nests deeper",
            exc.lineno,
        )
    return _fail("not-xml", f"Expected well-formed XML, but {message}", exc.lineno)


def _check_structure(root: etree._Element, limits: ParserLimits) -> None:
    """Element count, text length and (when stricter than libxml2's) depth limits."""
    count = 0
    for element in root.iter():
        count += 1
        text = element.text
        if text is not None and len(text) > limits.max_text_length:
            raise _fail(
                "text-too-long",
                f"Expected text of at most {limits.max_text_length} characters, but "
                f"element <{local_name(element)}> holds {len(text)}",
                element.sourceline,
            )
    if count > limits.max_elements:
        raise _fail(
            "too-many-elements",
            f"Expected at most {limits.max_elements} elements, but the document has {count}",
        )
    if limits.max_depth < _LIBXML_MAX_DEPTH:
        _check_depth(root, limits.max_depth)


def _check_depth(root: etree._Element, max_depth: int) -> None:
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > max_depth:
            raise _fail(
                "document-too-deep",
                f"Expected elements nested at most {max_depth} levels deep, but the "
                "document nests deeper",
                element.sourceline,
            )


def local_name(element: etree._Element) -> str:
    """The tag without its namespace (``userTask``)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace(element: etree._Element) -> str | None:
    """The namespace URI of the element's tag (None when unqualified)."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1 : tag.index("}")]
    return None


def bpmn_local(element: etree._Element) -> str | None:
    """The local name if the element is in the BPMN model namespace, else None."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith(BPMN_PREFIX):
        return tag[_BPMN_PREFIX_LEN:]
    return None


def line_of(element: etree._Element) -> int:
    return element.sourceline or 0
