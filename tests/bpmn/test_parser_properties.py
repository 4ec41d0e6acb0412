"""Property tests: mutated corpus files always give a model or a clean report, never a crash."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpmn_engine.bpmn import ValidationReport, check_bpmn
from tests.bpmn.corpus import CORPUS_DIR
from tests.shared_data import require

SEEDS = [
    "camunda7/invoice/invoice.v2.bpmn",
    "miwg/reference/C.4.0.bpmn",
    "camunda8/get-started/send-email.bpmn",
    "spiffworkflow/bpmn/data/boundary.bpmn",
    "bpmn-moddle/multiInstanceLoopCharacteristics.bpmn",
]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REF_ATTR = re.compile(
    rb"\s(?:sourceRef|targetRef|attachedToRef|default|messageRef|signalRef|errorRef|"
    rb'escalationRef|processRef|calledElement|bpmnElement)="[^"]*"'
)
ID_ATTR = re.compile(rb'\sid="([^"]*)"')


def _seeds() -> list[bytes]:
    found = [CORPUS_DIR / p for p in SEEDS]
    return [p.read_bytes() for p in found if p.is_file()]


require(CORPUS_DIR / "manifest.json", "the BPMN corpus")
SEED_BYTES = _seeds()
seed = st.sampled_from(SEED_BYTES or [b"<x/>"])


def _assert_clean(report: ValidationReport) -> None:
    assert isinstance(report, ValidationReport)
    assert report.definitions is not None or report.errors
    for issue in report.issues:
        assert issue.message and issue.severity in ("error", "warning")
        assert issue.code != "validation-failed", issue.message


@SETTINGS
@given(data=seed, picks=st.lists(st.integers(min_value=0), max_size=6))
def test_dropping_reference_attributes_gives_a_report(data: bytes, picks: list[int]) -> None:
    matches = list(REF_ATTR.finditer(data))
    doomed = {matches[i % len(matches)].span() for i in picks} if matches else set()
    for start, end in sorted(doomed, reverse=True):
        data = data[:start] + data[end:]
    _assert_clean(check_bpmn(data))


@SETTINGS
@given(data=seed, source=st.integers(min_value=0), target=st.integers(min_value=0))
def test_duplicating_ids_gives_a_report(data: bytes, source: int, target: int) -> None:
    ids = list(ID_ATTR.finditer(data))
    value = ids[source % len(ids)].group(1)
    start, end = ids[target % len(ids)].span(1)
    report = check_bpmn(data[:start] + value + data[end:])
    _assert_clean(report)
    if value != ids[target % len(ids)].group(1) and report.definitions is None:
        assert "duplicate-id" in {i.code for i in report.issues}


@SETTINGS
@given(data=seed, cut=st.floats(min_value=0.0, max_value=0.999))
def test_truncating_gives_a_report(data: bytes, cut: float) -> None:
    report = check_bpmn(data[: int(len(data) * cut)])
    _assert_clean(report)
    assert report.definitions is None


@SETTINGS
@given(
    data=seed,
    entity=st.sampled_from(
        [
            '<!ENTITY x SYSTEM "file:///etc/passwd">',
            "<!ENTITY x \"&#60;task id='evil'/&#62;\">",
            '<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;',
            '<!ENTITY a "aaaaaaaaaa"><!ENTITY x "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">',
        ]
    ),
    use=st.booleans(),
)
def test_injected_doctype_is_always_refused(data: bytes, entity: str, use: bool) -> None:
    body = data.split(b"?>", 1)[-1] if data.lstrip().startswith(b"<?xml") else data
    if use:
        body = body.replace(b'name="', b'name="&x;', 1)
    report = check_bpmn(b"<!DOCTYPE definitions [" + entity.encode() + b"]>" + body)
    assert report.definitions is None
    assert [i.code for i in report.issues] == ["doctype-forbidden"]


@SETTINGS
@given(data=seed, position=st.integers(min_value=0), junk=st.binary(min_size=1, max_size=8))
def test_random_byte_corruption_gives_a_report(data: bytes, position: int, junk: bytes) -> None:
    at = position % len(data)
    _assert_clean(check_bpmn(data[:at] + junk + data[at + len(junk) :]))
