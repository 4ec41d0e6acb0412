"""Warnings at deploy time for what will fail (or surprise) at run time.

The parser's validation finds what is wrong with a diagram; these checks find what is
wrong with the diagram *here*: which handlers this installation registers and which
decisions it has deployed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.apps import apps
from lxml import etree

from bpmn_engine.bpmn.model import BusinessRuleTask, Definitions, FlowNode, ServiceTask
from bpmn_engine.expressions import is_expression
from bpmn_engine.jobs.handlers import get_handler, has_handler

BUILTIN_HANDLER_MODULE = "bpmn_engine.jobs.builtin_handlers"
DMN_SUFFIX = ".dmn"
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)


@dataclass(frozen=True)
class DeployWarning:
    resource: str
    element_id: str
    code: str
    message: str


def runtime_warnings(
    parsed: Mapping[str, Definitions], resources: Mapping[str, bytes]
) -> list[DeployWarning]:
    """Warnings for every executable process of the parsed resources."""
    uploaded_decisions = _decision_ids(
        content for name, content in resources.items() if name.lower().endswith(DMN_SUFFIX)
    )
    found: list[DeployWarning] = []
    for name, definitions in parsed.items():
        for process in definitions.executable_processes():
            for node in process.all_nodes.values():
                found.extend(_node_warnings(name, node, uploaded_decisions))
    return found


def _node_warnings(resource: str, node: FlowNode, decisions: set[str]) -> list[DeployWarning]:
    if isinstance(node, BusinessRuleTask) and node.decision_ref:
        if not is_expression(node.decision_ref) and not _decision_known(
            node.decision_ref, decisions
        ):
            return [
                DeployWarning(
                    resource,
                    node.id,
                    "decision-not-deployed",
                    f"Business-rule task {node.id} evaluates decision '{node.decision_ref}', "
                    "but no decision of that id is deployed or in this upload",
                )
            ]
        return []
    if not isinstance(node, ServiceTask):
        return []
    job = node.job
    job_type = job.type
    if not job_type or is_expression(job_type):
        return []
    if job.external and has_handler(job_type) and _is_builtin(job_type):
        return [
            DeployWarning(
                resource,
                node.id,
                "builtin-handler-takes-topic",
                f"Service task {node.id} is meant for external workers on topic "
                f"'{job_type}', but the built-in '{job_type}' handler will run it instead",
            )
        ]
    if not job.external and not has_handler(job_type):
        what = (
            "will wait for an external worker of that topic"
            if job.implementation == "type"
            else "will fail into an incident when it runs"
        )
        return [
            DeployWarning(
                resource,
                node.id,
                "no-handler",
                f"Service task {node.id} has job type '{job_type}', no handler is "
                f"registered for it and it is not marked external: it {what}",
            )
        ]
    return []


def _is_builtin(job_type: str) -> bool:
    return get_handler(job_type).function.__module__ == BUILTIN_HANDLER_MODULE


def _decision_known(decision_id: str, uploaded: set[str]) -> bool:
    if decision_id in uploaded:
        return True
    try:
        model = apps.get_model("bpmn_engine", "DecisionDefinition")
    except LookupError:
        return False  # this installation deploys no decisions
    return model.objects.filter(key=decision_id).exists()


def _decision_ids(documents: Iterable[bytes]) -> set[str]:
    """Ids of the ``decision`` elements of uploaded DMN files (parsed with the network,
    entities and DTDs off)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    ids: set[str] = set()
    for content in documents:
        try:
            root = etree.fromstring(content, parser)
        except etree.XMLSyntaxError:
            continue
        for namespace in DMN_NAMESPACES:
            for element in root.iter(f"{{{namespace}}}decision"):
                if element.get("id"):
                    ids.add(element.get("id"))
    return ids
