"""The DMN TCK (compliance levels 2 and 3): one test per TCK test case.

A case passes when every one of its result nodes matches; a result node that expects an
error passes on an evaluation error or null. Cases known to fail are listed, each with a
reason, in :mod:`tests.dmn.tck_expected_failures` (strict: a case that starts passing
must leave the list).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from bpmn_engine.dmn.errors import DecisionError
from bpmn_engine.dmn.reader import DmnParseError
from bpmn_engine.expressions.errors import ExpressionError
from tests.dmn.compare import same
from tests.dmn.tck import TCK_DIR, TckCase, all_cases, load_model
from tests.dmn.tck_expected_failures import EXPECTED_FAILURES

if not TCK_DIR.is_dir():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"the DMN TCK is missing at {TCK_DIR} (required under CI)")
    pytest.skip("DMN TCK test cases not available", allow_module_level=True)

CASES = all_cases()


def _params() -> list[Any]:
    params = []
    for case in CASES:
        marks = []
        reason = EXPECTED_FAILURES.get(case.key)
        if reason is not None:
            marks.append(pytest.mark.xfail(reason=reason, strict=True))
        params.append(pytest.param(case, id=case.key, marks=marks))
    return params


def _evaluate(case: TckCase, name: str) -> tuple[Any, str | None]:
    try:
        model = load_model(case.level, case.folder, case.model)
        inputs = dict(case.inputs)
        scoped: dict[str, dict[str, Any]] = {}
        for namespace, key, given in case.scoped_inputs:
            scoped.setdefault(namespace, {})[key] = given
        if case.kind == "decisionService":
            value = model.evaluate(case.invocable or name, inputs, scoped).value
            service = model.definitions.decision(case.invocable or name)
            if type(value) is dict and len(getattr(service, "outputs", ())) > 1:
                return value.get(name), None
            return value, None
        return model.evaluate(name, inputs, scoped).value, None
    except (DecisionError, ExpressionError, DmnParseError) as exc:
        return None, str(exc)


@pytest.mark.parametrize("case", _params())
def test_tck_case_gives_the_expected_results(case: TckCase) -> None:
    check_case(case)


def check_case(case: TckCase) -> None:
    """Every result node of ``case`` matches (an error result: an error or null)."""
    for node in case.results:
        actual, error = _evaluate(case, node.name)
        if node.error:
            assert actual is None, f"{node.name}: expected an error or null, got {actual!r}"
            continue
        assert error is None, f"{node.name}: {error}"
        assert same(node.expected, actual), (
            f"{node.name}: expected {node.expected!r}, got {actual!r}"
        )
