"""Small builders for hand-written test diagrams."""

from __future__ import annotations

NAMESPACES = (
    'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:flowable="http://flowable.org/bpmn" '
    'xmlns:activiti="http://activiti.org/bpmn"'
)


def diagram(body: str, *, executable: str = "true", roots: str = "") -> str:
    """A definitions document with one process ``p`` holding ``body``."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions {NAMESPACES} id="defs">\n'
        f'{roots}<process id="p" isExecutable="{executable}">\n{body}\n</process>\n'
        "</definitions>\n"
    )


def linear(middle: str = '<task id="t"/>', middle_id: str = "t", **kwargs: str) -> str:
    """start -> middle -> end."""
    return diagram(
        '<startEvent id="start"/>\n'
        f'<sequenceFlow id="f1" sourceRef="start" targetRef="{middle_id}"/>\n'
        f"{middle}\n"
        f'<sequenceFlow id="f2" sourceRef="{middle_id}" targetRef="end"/>\n'
        '<endEvent id="end"/>',
        **kwargs,
    )
