"""Property: whatever diagram and variables come in, deploy, start and complete either
work or raise an EngineError; no database, runtime or Python error escapes a service."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpmn_engine.errors import EngineError
from bpmn_engine.models import UserTask
from bpmn_engine.services import complete_user_task, deploy_definition, start_instance
from tests.services.diagrams import process

pytestmark = pytest.mark.django_db

TEXT = st.text(max_size=12) | st.sampled_from(["a\x00", "\ud800", "x" * 300, "${", "=1/0"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([10**1500, -(2**80), 1e16, 1.5e300])
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
    | st.sampled_from([{1, 2}, b"raw", frozenset()])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
VARIABLES = st.dictionaries(
    st.text(max_size=8) | st.sampled_from(["", "n" * 300]), VALUES, max_size=4
)
EXPRESSIONS = st.sampled_from(
    [
        "${x > 1}",
        "${true}",
        "${x}",
        "${missing.y}",
        "=x + 1",
        "= count(x)",
        "${x == 'a'}",
        "${",
        "${x * 1000}",
        "=decimal(x, -1000000000)",
    ]
)
SCRIPTS = st.sampled_from(
    [
        "y = x",
        "y = 1e308 * 10",
        "y = [x] * 3",
        "a = [0] * 1000\nb = [a] * 1000\nc = [b] * 10",
        "y = str(x)",
        "y = x + 1",
        "y = round(5, -10**9)",
    ]
)
KINDS = st.sampled_from(["userTask", "manualTask", "scriptTask", "exclusiveGateway", "task"])


@st.composite
def diagrams(draw: st.DrawFn) -> bytes:
    """A random graph of a few nodes (cycles allowed) with random conditions, scripts,
    loops and names."""
    count = draw(st.integers(min_value=1, max_value=5))
    kinds = [draw(KINDS) for _ in range(count)]
    parts = ['<bpmn:startEvent id="start"/>', '<bpmn:endEvent id="end"/>']
    for i, kind in enumerate(kinds):
        name = draw(st.sampled_from(["", "n", "x" * 300]))
        inner = ""
        if kind == "scriptTask":
            inner = f"<bpmn:script>{_escape(draw(SCRIPTS))}</bpmn:script>"
        loop = draw(st.sampled_from(["", "standard", "multi"]))
        if loop == "standard" and kind != "exclusiveGateway":
            condition = _escape(draw(EXPRESSIONS))
            inner += (
                '<bpmn:standardLoopCharacteristics loopMaximum="1000000000">'
                f"<bpmn:loopCondition>{condition}</bpmn:loopCondition>"
                "</bpmn:standardLoopCharacteristics>"
            )
        elif loop == "multi" and kind != "exclusiveGateway":
            cardinality = _escape(draw(st.sampled_from(["3", "${x}", "10000000", "${missing}"])))
            inner += (
                "<bpmn:multiInstanceLoopCharacteristics>"
                f"<bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>"
                "</bpmn:multiInstanceLoopCharacteristics>"
            )
        extra = ' scriptFormat="python"' if kind == "scriptTask" else ""
        extra += ' camunda:assignee="sally"' if kind == "userTask" else ""
        parts.append(f'<bpmn:{kind} id="n{i}" name="{name}"{extra}>{inner}</bpmn:{kind}>')
    ids = ["start", *(f"n{i}" for i in range(count)), "end"]
    edges = [("start", "n0"), (f"n{count - 1}", "end")]
    edges += [(f"n{i}", f"n{i + 1}") for i in range(count - 1)]
    extra_edges = draw(
        st.lists(st.tuples(st.sampled_from(ids[1:-1]), st.sampled_from(ids[1:])), max_size=3)
    )
    for n, (source, target) in enumerate(edges + extra_edges, 1):
        condition = ""
        if source.startswith("n") and kinds[int(source[1:])] == "exclusiveGateway":
            condition = (
                f"<bpmn:conditionExpression>{_escape(draw(EXPRESSIONS))}</bpmn:conditionExpression>"
            )
        parts.append(
            f'<bpmn:sequenceFlow id="f{n}" sourceRef="{source}" targetRef="{target}">'
            f"{condition}</bpmn:sequenceFlow>"
        )
    return process("generated", "\n".join(parts))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.fixture
def sally(db):
    return User.objects.get_or_create(username="sally")[0]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(diagram=diagrams(), variables=VARIABLES, more=VARIABLES)
def test_only_engine_errors_leave_deploy_start_and_complete(sally, diagram, variables, more):
    with override_settings(PROCESSION_COMMAND_MAX_STEPS=500, PROCESSION_MAX_MI_CARDINALITY=20):
        try:
            deploy_definition(name="generated", resources={"generated.bpmn": diagram})
            instance = start_instance(definition_key="generated", variables=variables)
            for task in UserTask.objects.filter(instance=instance, state="open")[:3]:
                complete_user_task(task_id=task.pk, user=sally, variables=more)
        except EngineError as error:
            assert error.code  # every refusal carries its stable code
