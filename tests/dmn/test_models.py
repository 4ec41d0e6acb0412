"""Decision models: a decision service's declared result type, and inputs of imported
models given by namespace."""

from __future__ import annotations

from decimal import Decimal

from bpmn_engine.dmn import DecisionModel, parse_dmn

NS = "https://www.omg.org/spec/DMN/20230324/MODEL/"


def _model(body: str, namespace: str = "urn:main", imports: str = "") -> bytes:
    return (
        f'<definitions xmlns="{NS}" id="d" name="m" namespace="{namespace}">'
        f"{imports}{body}</definitions>"
    ).encode()


SERVICE = """
<itemDefinition name="tText"><functionItem outputTypeRef="string"/></itemDefinition>
<itemDefinition name="tNumber"><functionItem outputTypeRef="number"/></itemDefinition>
<decisionService name="asText" id="asText">
  <variable name="asText" typeRef="tText"/>
  <outputDecision href="#thousand"/>
</decisionService>
<decisionService name="asNumber" id="asNumber">
  <variable name="asNumber" typeRef="tNumber"/>
  <outputDecision href="#thousand"/>
</decisionService>
<decision name="thousand" id="thousand">
  <variable name="thousand"/>
  <literalExpression><text>1000</text></literalExpression>
</decision>
<decision name="called" id="called">
  <variable name="called"/>
  <knowledgeRequirement><requiredKnowledge href="#asText"/></knowledgeRequirement>
  <literalExpression><text>asText()</text></literalExpression>
</decision>
"""


def test_a_decision_service_result_must_fit_its_function_types_output_type() -> None:
    model = DecisionModel(parse_dmn(_model(SERVICE)))
    assert model.evaluate("asNumber").value == Decimal(1000)
    assert model.evaluate("asText").value is None
    assert model.evaluate("called").value is None


GREETER = _model(
    """
<inputData name="Person" id="person"><variable name="Person" typeRef="string"/></inputData>
<decision name="Greeting" id="greeting">
  <variable name="Greeting" typeRef="string"/>
  <informationRequirement><requiredInput href="#person"/></informationRequirement>
  <literalExpression><text>"Hello, " + Person</text></literalExpression>
</decision>""",
    namespace="urn:greeter",
)


def _middle(namespace: str) -> bytes:
    return _model(
        """
<decision name="Loud" id="loud">
  <variable name="Loud" typeRef="string"/>
  <informationRequirement><requiredDecision href="urn:greeter#greeting"/></informationRequirement>
  <literalExpression><text>upper case(greeter.Greeting)</text></literalExpression>
</decision>""",
        namespace=namespace,
        imports=f'<import name="greeter" namespace="urn:greeter" importType="{NS}"/>',
    )


TOP = _model(
    """
<decision name="Both" id="both">
  <variable name="Both"/>
  <informationRequirement><requiredDecision href="urn:one#loud"/></informationRequirement>
  <informationRequirement><requiredDecision href="urn:two#loud"/></informationRequirement>
  <literalExpression><text>one.Loud + " / " + two.Loud</text></literalExpression>
</decision>""",
    imports=(
        f'<import name="one" namespace="urn:one" importType="{NS}"/>'
        f'<import name="two" namespace="urn:two" importType="{NS}"/>'
    ),
)


def test_an_input_given_by_namespace_reaches_a_model_imported_along_several_paths() -> None:
    imported = {
        d.namespace: d
        for d in (parse_dmn(GREETER), parse_dmn(_middle("urn:one")), parse_dmn(_middle("urn:two")))
    }
    model = DecisionModel(parse_dmn(TOP), imported)
    by_namespace = {"urn:greeter": {"Person": "Ann"}}
    assert model.evaluate("Both", {}, by_namespace).value == "HELLO, ANN / HELLO, ANN"
    nested = {"one": {"greeter": {"Person": "Bo"}}}
    assert model.evaluate("Both", nested, by_namespace).value == "HELLO, BO / HELLO, ANN"
    assert model.evaluate("Both", {}).value is None
