"""How a catch or throw event's reference becomes the name the outside world uses.

One rule for every place that needs it (runtime subscriptions, throws, start-event
subscriptions at deployment): a message or signal is known by its ``name``; an unnamed one
(``<signal id="Sig1"/>``) by its id; a reference to nothing by the reference itself.
"""

from __future__ import annotations

from bpmn_engine.bpmn.model import Definitions


def message_name(definitions: Definitions | None, ref: str | None) -> str:
    message = definitions.messages.get(ref) if definitions is not None and ref else None
    return (message.name or message.id) if message else (ref or "")


def message_correlation_key(definitions: Definitions | None, ref: str | None) -> str | None:
    message = definitions.messages.get(ref) if definitions is not None and ref else None
    return message.correlation_key if message else None


def signal_name(definitions: Definitions | None, ref: str | None) -> str:
    signal = definitions.signals.get(ref) if definitions is not None and ref else None
    return (signal.name or signal.id) if signal else (ref or "")
