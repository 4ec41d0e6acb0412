"""Hostile or broken XML gets a clean ``BpmnParseError`` (never a crash, hang or file read)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmn_engine.bpmn import DEFAULT_LIMITS, BpmnParseError, ParserLimits, check_bpmn, parse_bpmn
from tests.bpmn.helpers import linear

# A hang guard, not a speed claim (speed is measured in bench/): a test that runs on is
# stopped by pytest-timeout and fails.
pytestmark = pytest.mark.timeout(60)

BPMN = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def _refused(source: bytes | str | Path, code: str, limits: ParserLimits = DEFAULT_LIMITS) -> str:
    with pytest.raises(BpmnParseError) as caught:
        parse_bpmn(source, limits=limits)
    assert [i.code for i in caught.value.issues] == [code]
    report = check_bpmn(source, limits=limits)
    assert report.definitions is None and not report.ok
    return str(caught.value)


def test_xxe_local_file_is_refused_and_never_read() -> None:
    text = f"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<definitions {BPMN} id="d"><process id="&x;"/></definitions>"""
    message = _refused(text.encode(), "doctype-forbidden")
    assert "root:" not in message


def test_external_dtd_url_is_refused_without_network() -> None:
    text = f"""<?xml version="1.0"?><!DOCTYPE definitions SYSTEM "http://127.0.0.1:9/evil.dtd">
<definitions {BPMN} id="d"/>"""
    _refused(text.encode(), "doctype-forbidden")


def test_billion_laughs_is_refused() -> None:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    text = f'<?xml version="1.0"?><!DOCTYPE d [{entities}]><definitions {BPMN} id="&l9;"/>'
    _refused(text.encode(), "doctype-forbidden")


def test_quadratic_blowup_is_refused() -> None:
    text = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "{"x" * 50_000}">]>'
        f'<definitions {BPMN} id="d"><documentation>{"&a;" * 20_000}</documentation>'
        "</definitions>"
    )
    _refused(text.encode(), "doctype-forbidden")


def test_deep_nesting_is_refused() -> None:
    depth = 5000
    text = f"<definitions {BPMN} id='d'>" + "<a>" * depth + "</a>" * depth + "</definitions>"
    _refused(text.encode(), "document-too-deep")


def test_stricter_depth_limit_applies() -> None:
    text = f"<definitions {BPMN} id='d'>" + "<a>" * 40 + "</a>" * 40 + "</definitions>"
    _refused(text.encode(), "document-too-deep", ParserLimits(max_depth=20))


def test_document_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    big = linear().replace(
        "</definitions>", "<!--" + "x" * (10 * 1024 * 1024) + "--></definitions>"
    )
    path = tmp_path / "big.bpmn"
    path.write_text(big)
    _refused(big.encode(), "document-too-large")
    _refused(path, "document-too-large")


def test_huge_text_is_refused() -> None:
    text = linear().replace(
        '<task id="t"/>', f'<task id="t"><documentation>{"y" * 2000}</documentation></task>'
    )
    _refused(text, "text-too-long", ParserLimits(max_text_length=1000))


def test_non_bpmn_root_is_refused() -> None:
    message = _refused(b'<definitions xmlns="http://not-bpmn" id="d"/>', "not-bpmn")
    assert "http://not-bpmn" in message


def test_truncated_file_is_refused_with_a_line_number() -> None:
    text = linear()
    with pytest.raises(BpmnParseError) as caught:
        parse_bpmn(text[: len(text) // 2])
    (issue,) = caught.value.issues
    assert issue.code == "not-xml" and issue.line


def test_not_xml_at_all_is_refused() -> None:
    _refused(b"\x00\xff garbage", "not-xml")


def test_duplicate_ids_are_refused() -> None:
    _refused(linear().replace('id="end"', 'id="start"'), "duplicate-id")


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    _refused(tmp_path / "nope.bpmn", "unreadable-file")


def test_xml_text_with_encoding_declaration_parses() -> None:
    text = (
        linear()
        .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
        .replace('<task id="t"/>', '<task id="t" name="Prüfen"/>')
    )
    assert parse_bpmn(text).process("p").node("t").name == "Prüfen"
