"""External Java functions: an allowlist of pure static methods implemented in Python;
everything else is refused with a clear error (no host code, no reflection)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bpmn_engine.dmn import DecisionModel, parse_dmn
from bpmn_engine.dmn.errors import DecisionError
from bpmn_engine.expressions.errors import ExpressionError
from bpmn_engine.expressions.feel import evaluate_feel

FORMAT = "format(java.lang.String, [Ljava.lang.Object;)"


def _call(java_class: str, signature: str, args: str, params: str = "a, b") -> object:
    text = (
        f"{{f: function({params}) external {{java: {{class: {java_class!r}, "
        f"method signature: {signature!r}}}}}, r: f({args})}}.r"
    ).replace("'", '"')
    return evaluate_feel(text)


@pytest.mark.parametrize(
    ("java_class", "signature", "args", "expected"),
    [
        ("java.lang.Math", "cos(double)", "0", Decimal(1)),
        ("java.lang.Math", "max(double, double)", "123.45, 456.78", Decimal("456.78")),
        ("java.lang.Math", "max(int,int)", "123, 456", Decimal(456)),
        ("java.lang.Math", "max(int,int)", "1.5, 2", None),  # not an int
        ("java.lang.Math", "max(int,int)", "3000000000, 2", None),  # beyond an int
        ("java.lang.Math", "max(float,float)", "123.46, 456.78", Decimal("456.78")),
        ("java.lang.Math", "sqrt(double)", "-1", None),  # NaN has no FEEL number
        ("java.lang.Math", "round(double)", "2.5", Decimal(3)),
        ("java.lang.Math", "floorDiv(int,int)", "-7, 2", Decimal(-4)),
        ("java.lang.Math", "floorDiv(int,int)", "7, 0", None),
        ("java.lang.Integer", "valueOf(java.lang.String)", '"123"', Decimal(123)),
        ("java.lang.Integer", "parseInt(java.lang.String)", '"12a"', None),
        ("java.lang.Integer", "valueOf(java.lang.String)", '"99999999999"', None),
        ("java.lang.Double", "valueOf(java.lang.String)", '"1234.56"', Decimal("1234.56")),
        ("java.lang.Float", "valueOf(java.lang.String)", '"1234.56"', Decimal("1234.56")),
        ("java.lang.Boolean", "parseBoolean(java.lang.String)", '"TRUE"', True),
        ("java.lang.String", "valueOf(char)", '"a"', "a"),
        ("java.lang.String", "valueOf(char)", '"abc"', None),
        ("java.lang.String", FORMAT, '"%s-%d%%", "x", 7', "x-7%"),
        ("java.lang.String", FORMAT, '"%x", 7', None),
    ],
)
def test_allowlisted_java_methods_behave_as_java_would(
    java_class: str, signature: str, args: str, expected: object
) -> None:
    params = ", ".join(f"p{i}" for i in range(args.count(",") + 1))
    assert _call(java_class, signature, args, params) == expected


@pytest.mark.parametrize(
    ("java_class", "signature"),
    [
        ("java.lang.Runtime", "getRuntime()"),
        ("java.lang.System", "exit(int)"),
        ("java.lang.Math", "foo(double)"),
        ("java.lang.Math", "max(java.lang.String, java.lang.String)"),
        ("java.lang.Class", "forName(java.lang.String)"),
    ],
)
def test_other_java_methods_are_refused_with_a_clear_error(java_class: str, signature: str) -> None:
    with pytest.raises(ExpressionError, match="not available: only pure static methods"):
        _call(java_class, signature, "1", "a")


BOXED = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d"
  namespace="n"><decision id="top" name="top"><context>
  <contextEntry><variable name="larger"/>
    <functionDefinition kind="Java">
      <formalParameter name="a" typeRef="number"/><formalParameter name="b" typeRef="number"/>
      <context>
        <contextEntry><variable name="class"/>
          <literalExpression><text>"java.lang.Math"</text></literalExpression></contextEntry>
        <contextEntry><variable name="method signature"/>
          <literalExpression><text>"{signature}"</text></literalExpression></contextEntry>
      </context>
    </functionDefinition></contextEntry>
  <contextEntry><literalExpression><text>larger(3, 4)</text></literalExpression></contextEntry>
  </context></decision></definitions>"""


def test_a_boxed_java_function_definition_uses_the_same_allowlist() -> None:
    model = DecisionModel(parse_dmn(BOXED.replace(b"{signature}", b"max(long, long)")))
    assert model.evaluate("top").value == Decimal(4)
    refused = DecisionModel(parse_dmn(BOXED.replace(b"{signature}", b"exit(int)")))
    with pytest.raises(DecisionError, match="not available"):
        refused.evaluate("top")
