"""Which deployed definition a call activity calls."""

from __future__ import annotations

from bpmn_engine.models import ProcessDefinition
from bpmn_engine.runtime.effects import CallActivityStarted


def resolve_called_definition(
    caller: ProcessDefinition, effect: CallActivityStarted
) -> tuple[ProcessDefinition | None, str]:
    """The definition to start for ``effect``, or None and the reason.

    Bindings as Camunda 7: ``latest`` (default), ``version`` (pinned number),
    ``deployment`` (the version deployed with the caller), ``versionTag``.
    """
    candidates = ProcessDefinition.objects.filter(key=effect.called_element)
    binding = effect.binding or "latest"
    if binding == "version":
        try:
            candidates = candidates.filter(version=int(str(effect.version)))
        except (TypeError, ValueError):
            return None, (
                f"Expected to call process '{effect.called_element}' at version "
                f"'{effect.version}', but that is not a version number"
            )
    elif binding == "deployment":
        candidates = candidates.filter(deployment_id=caller.deployment_id)
    elif binding == "versionTag":
        candidates = candidates.filter(version_tag=effect.version_tag or effect.version or "")
    found = candidates.order_by("-version").first()
    if found is None:
        return None, (
            f"Expected to call process '{effect.called_element}' ({binding} "
            "binding), but no such definition is deployed"
        )
    return found, ""
