"""The shared corpus of real BPMN files from other tools (``shared/bpmn-corpus``).

- every file marked ``expected_parse: ok`` parses, and the model holds exactly the BPMN
  elements of the XML (``corpus.FOLDED`` lists the text holders folded into fields);
- executable processes validate clean, or fail only with the errors recorded (and
  justified) in ``corpus_expectations.EXPECTED_ERRORS``;
- every file marked ``expected_parse: error`` is refused cleanly (parse error or
  validation errors), never with a crash.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bpmn_engine.bpmn import check_bpmn, iter_model_elements, parse_bpmn
from tests.bpmn.corpus import CORPUS_DIR, bpmn_entries, count_bpmn_elements
from tests.bpmn.corpus_expectations import EXPECTED_ERRORS
from tests.shared_data import require

require(CORPUS_DIR / "manifest.json", "the BPMN corpus")

OK_ENTRIES = bpmn_entries("ok") if CORPUS_DIR.is_dir() else []
ERROR_ENTRIES = bpmn_entries("error") if CORPUS_DIR.is_dir() else []
# The expression language grows: a recorded expression-syntax error may disappear.
MAY_DISAPPEAR = {"expression-syntax"}


def _ids(entries: list[dict]) -> list[str]:
    return [e["path"] for e in entries]


@pytest.mark.parametrize("entry", OK_ENTRIES, ids=_ids(OK_ENTRIES))
def test_corpus_file_parses_with_every_element_in_the_model(entry: dict) -> None:
    path = CORPUS_DIR / entry["path"]
    definitions = parse_bpmn(path)
    walked = Counter(element.tag for element in iter_model_elements(definitions))
    assert walked == count_bpmn_elements(path)
    assert set(definitions.processes) == {p["id"] for p in entry.get("processes", [])}


@pytest.mark.parametrize("entry", OK_ENTRIES, ids=_ids(OK_ENTRIES))
def test_corpus_executable_processes_validate_or_fail_as_recorded(entry: dict) -> None:
    report = check_bpmn(CORPUS_DIR / entry["path"])
    assert report.definitions is not None
    executable = {p.id for p in report.definitions.executable_processes()}
    found = {
        (issue.code, issue.element_id)
        for issue in report.errors
        if issue.process_id is None or issue.process_id in executable
    }
    expected = EXPECTED_ERRORS.get(entry["path"], set())
    assert found - expected == set(), "unexpected errors"
    missing = {item for item in expected - found if item[0] not in MAY_DISAPPEAR}
    assert missing == set(), "recorded errors no longer reported"
    for issue in report.issues:
        assert issue.message and (issue.line or issue.code.startswith("dangling-diagram"))


def test_expectations_only_name_corpus_files() -> None:
    assert set(EXPECTED_ERRORS) <= set(_ids(OK_ENTRIES))


# Why each intentionally invalid file is refused (one error code that must be among them).
REFUSED_BECAUSE = {
    "bpmn-moddle/error/categoryValue.bpmn": "misplaced-element",
    "bpmn-moddle/error/duplicate-ids.bpmn": "duplicate-id",
    "bpmn-moddle/error/extension-definition-missing.bpmn": "unresolvable-qname",
    "bpmn-moddle/error/invalid-attributes.bpmn": "not-xml",
    "bpmn-moddle/error/not-bpmn.bpmn": "not-bpmn",
    "bpmn-moddle/error/undeclared-ns-child.bpmn": "unqualified-element",
    "bpmn-moddle/error/unrecognized-child.bpmn": "unknown-element",
    "bpmn-moddle/error/xmlns-redeclaration.bpmn": "not-xml",
    "camunda7/engine-tests/event/link/LinkEventTest.testInvalidEventLinkMultipleTargets"
    ".bpmn20.xml": "duplicate-link-catch",
    "camunda7/engine-tests/parse/BpmnParseTest.testParseProcessDefinitionXXE.bpmn20.xml": (
        "doctype-forbidden"
    ),
    "camunda7/engine-tests/parse/BpmnParseTest.testXMLParsingErrors.bpmn": "not-xml",
    "camunda7/engine-tests/subprocess/transaction/TransactionSubProcessTest"
    ".testCancelEndNoTransactionFails.bpmn20.xml": "cancel-outside-transaction",
    "camunda8/js-sdk/Client-BrokenBpmn.bpmn": "empty-job-type",
    "flowable/invalid_process_xsd_error.bpmn20.xml": "unknown-element",
    "spiffworkflow/bpmn/data/invalid_cancel.bpmn": "cancel-outside-transaction",
    "spiffworkflow/bpmn/data/standard_loop_invalid.bpmn": "endless-loop",
}


@pytest.mark.parametrize("entry", ERROR_ENTRIES, ids=_ids(ERROR_ENTRIES))
def test_invalid_corpus_file_is_refused_cleanly(entry: dict) -> None:
    report = check_bpmn(CORPUS_DIR / entry["path"])
    assert not report.ok
    assert all(issue.message for issue in report.errors)
    assert REFUSED_BECAUSE[entry["path"]] in {issue.code for issue in report.errors}


def test_xxe_sample_is_refused_without_reading_files() -> None:
    path = CORPUS_DIR / (
        "camunda7/engine-tests/parse/BpmnParseTest.testParseProcessDefinitionXXE.bpmn20.xml"
    )
    report = check_bpmn(path)
    assert report.definitions is None
    assert [issue.code for issue in report.issues] == ["doctype-forbidden"]
    assert "root:" not in str(report.issues)
