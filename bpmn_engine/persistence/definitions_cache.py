"""Parsed models of deployed definitions, parsed once per process and kept in memory.

Deployed resources never change (a changed diagram is a new version), so a cache keyed by
the definition's primary key and checksum is always valid.
"""

from __future__ import annotations

from functools import lru_cache

from bpmn_engine.bpmn import parse_bpmn
from bpmn_engine.bpmn.model import Definitions, Process
from bpmn_engine.models import ProcessDefinition


@lru_cache(maxsize=256)
def _parse_resource(resource_id: int, checksum: str) -> Definitions:
    from bpmn_engine.models import DeploymentResource

    content = DeploymentResource.objects.values_list("content", flat=True).get(pk=resource_id)
    return parse_bpmn(bytes(content))


def definitions_for(definition: ProcessDefinition) -> Definitions:
    return _parse_resource(definition.resource_id, definition.checksum)


def process_for(definition: ProcessDefinition) -> Process:
    """The immutable model of ``definition``'s process."""
    return definitions_for(definition).process(definition.key)
