"""Vendor extensions (Camunda 7, Camunda 8/Zeebe, Flowable, Activiti) in one neutral form.

Camunda 7, Flowable and Activiti share most attribute and element names, so they are read
through one lookup (``vendor_attr``: camunda, then flowable, then activiti). Zeebe elements
are read from ``extensionElements`` into ``VendorExtensions``; element readers combine both.
Content from vendors we do not know is ignored silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from bpmn_engine.bpmn.model import (
    FormField,
    FormFieldConstraint,
    IoMapping,
    Parameter,
    VariableMapping,
    frozen_mapping,
)
from bpmn_engine.bpmn.xml_reader import ACTIVITI_NS, CAMUNDA_NS, FLOWABLE_NS, ZEEBE_NS

CLASSIC_NAMESPACES = (CAMUNDA_NS, FLOWABLE_NS, ACTIVITI_NS)
_CLASSIC = frozenset(CLASSIC_NAMESPACES)
_ATTR_KEYS: dict[str, tuple[str, ...]] = {}


def vendor_attr(element: etree._Element, name: str) -> str | None:
    """``camunda:<name>``, else ``flowable:<name>``, else ``activiti:<name>``."""
    keys = _ATTR_KEYS.get(name)
    if keys is None:
        keys = tuple("{" + ns + "}" + name for ns in CLASSIC_NAMESPACES)
        _ATTR_KEYS[name] = keys
    get = element.get
    for key in keys:
        value = get(key)
        if value is not None:
            return value
    return None


def vendor_flag(element: etree._Element, name: str) -> bool:
    return (vendor_attr(element, name) or "").strip().lower() == "true"


def split_list(value: str | None) -> tuple[str, ...]:
    """Comma-separated candidates; commas inside ``${..}``/``#{..}`` do not split, and a FEEL
    expression (``=..``) stays whole."""
    if value is None or not value.strip():
        return ()
    text = value.strip()
    if text.startswith("="):
        return (text,)
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return tuple(part.strip() for part in parts if part.strip())


@dataclass
class VendorExtensions:
    """What ``extensionElements`` held, vendor-neutral where possible."""

    properties: dict[str, str] = field(default_factory=dict)
    inputs: list[Parameter] = field(default_factory=list)
    outputs: list[Parameter] = field(default_factory=list)
    form_fields: list[FormField] = field(default_factory=list)
    retry_time_cycle: str | None = None
    in_mappings: list[VariableMapping] = field(default_factory=list)
    out_mappings: list[VariableMapping] = field(default_factory=list)
    listeners: list[dict[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    connector_id: str | None = None
    zeebe: dict[str, dict[str, str]] = field(default_factory=dict)  # local name -> attributes
    zeebe_user_task: bool = False
    user_task_forms: dict[str, str] = field(default_factory=dict)  # zeebe:userTaskForm id -> JSON

    def io_mapping(self) -> IoMapping | None:
        if not self.inputs and not self.outputs:
            return None
        return IoMapping(inputs=tuple(self.inputs), outputs=tuple(self.outputs))

    def z(self, local: str, attribute: str) -> str | None:
        """Attribute of a Zeebe extension element (``z("taskDefinition", "type")``)."""
        return self.zeebe.get(local, {}).get(attribute)


EMPTY_EXTENSIONS = VendorExtensions()


def _local(element: etree._Element) -> tuple[str | None, str]:
    tag = element.tag
    if not isinstance(tag, str):
        return None, ""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return None, tag


def _text(element: etree._Element) -> str | None:
    text = element.text
    if text is None:
        return None
    text = text.strip()
    return text or None


def read_extension_elements(ext: etree._Element | None) -> VendorExtensions:
    """Read one ``extensionElements`` element (None gives the shared empty result)."""
    if ext is None:
        return EMPTY_EXTENSIONS
    result = VendorExtensions()
    for child in ext:
        ns, local = _local(child)
        if ns in _CLASSIC:
            reader = _CLASSIC_READERS.get(local)
            if reader is not None:
                reader(child, result)
        elif ns == ZEEBE_NS:
            _read_zeebe(child, local, result)
    return result


# --------------------------------------------------------------------------- camunda / flowable


def _read_properties(element: etree._Element, result: VendorExtensions) -> None:
    for prop in element:
        name = prop.get("name") or prop.get("id")
        if name is not None:
            result.properties[name] = prop.get("value") or ""


def _read_input_output(element: etree._Element, result: VendorExtensions) -> None:
    for child in element:
        _ns, local = _local(child)
        if local == "inputParameter":
            result.inputs.append(read_parameter(child, child.get("name") or ""))
        elif local == "outputParameter":
            result.outputs.append(read_parameter(child, child.get("name") or ""))


def read_parameter(element: etree._Element, name: str) -> Parameter:
    """A Camunda parameter value: text, ``list``, ``map`` or ``script``."""
    for child in element:
        _ns, local = _local(child)
        if local == "list":
            items = tuple(read_parameter(item, "") for item in child)
            return Parameter(name=name, kind="list", items=items)
        if local == "map":
            entries = {e.get("key") or "": read_parameter(e, e.get("key") or "") for e in child}
            return Parameter(name=name, kind="map", entries=frozen_mapping(entries))
        if local == "script":
            return Parameter(
                name=name,
                kind="script",
                value=child.get("resource") or _text(child),
                script_format=child.get("scriptFormat"),
            )
    text = _text(element)
    kind = "expression" if text is not None and ("${" in text or "#{" in text) else "literal"
    return Parameter(name=name, kind=kind, value=text)


def _read_form_data(element: etree._Element, result: VendorExtensions) -> None:
    for child in element:
        if _local(child)[1] == "formField":
            result.form_fields.append(_read_form_field(child))


def _read_form_field(element: etree._Element) -> FormField:
    constraints: list[FormFieldConstraint] = []
    enum_values: dict[str, str] = {}
    properties: dict[str, str] = {}
    for child in element:
        local = _local(child)[1]
        if local == "validation":
            for constraint in child:
                constraints.append(
                    FormFieldConstraint(
                        name=constraint.get("name") or "", config=constraint.get("config")
                    )
                )
        elif local == "value":
            enum_values[child.get("id") or ""] = child.get("name") or ""
        elif local == "properties":
            for prop in child:
                properties[prop.get("id") or prop.get("name") or ""] = prop.get("value") or ""
    if element.get("datePattern"):
        properties.setdefault("datePattern", element.get("datePattern") or "")
    return FormField(
        id=element.get("id") or "",
        label=element.get("label"),
        type=element.get("type") or "string",
        default_value=element.get("defaultValue"),
        enum_values=frozen_mapping(enum_values),
        constraints=tuple(constraints),
        properties=frozen_mapping(properties),
    )


def _read_form_property(element: etree._Element, result: VendorExtensions) -> None:
    """Flowable/Activiti ``formProperty`` (also legacy Camunda) as a ``FormField``."""
    constraints = []
    if element.get("required") == "true":
        constraints.append(FormFieldConstraint(name="required"))
    if element.get("writable") == "false":
        constraints.append(FormFieldConstraint(name="readonly"))
    enum_values = {v.get("id") or "": v.get("name") or "" for v in element}
    properties = {
        key: element.get(key) or ""
        for key in ("variable", "expression", "datePattern", "readable")
        if element.get(key) is not None
    }
    result.form_fields.append(
        FormField(
            id=element.get("id") or "",
            label=element.get("name"),
            type=element.get("type") or "string",
            default_value=element.get("default"),
            enum_values=frozen_mapping(enum_values),
            constraints=tuple(constraints),
            properties=frozen_mapping(properties),
        )
    )


def _read_retry_cycle(element: etree._Element, result: VendorExtensions) -> None:
    result.retry_time_cycle = _text(element)


def _variable_mapping(element: etree._Element) -> VariableMapping:
    business_key = element.get("businessKey")
    return VariableMapping(
        source=element.get("source"),
        source_expression=business_key
        if business_key is not None
        else element.get("sourceExpression"),
        target=element.get("target"),
        all_variables=element.get("variables") == "all",
        local=element.get("local") == "true",
        business_key=business_key is not None,
    )


def _read_in(element: etree._Element, result: VendorExtensions) -> None:
    result.in_mappings.append(_variable_mapping(element))


def _read_out(element: etree._Element, result: VendorExtensions) -> None:
    result.out_mappings.append(_variable_mapping(element))


def _listener(kind: str) -> Callable[[etree._Element, VendorExtensions], None]:
    def read(element: etree._Element, result: VendorExtensions) -> None:
        entry = {"kind": kind}
        for key in ("event", "class", "expression", "delegateExpression", "id", "type"):
            if element.get(key) is not None:
                entry[key] = element.get(key) or ""
        for child in element:
            if _local(child)[1] == "script":
                entry["script_format"] = child.get("scriptFormat") or ""
                entry["script"] = child.get("resource") or _text(child) or ""
        result.listeners.append(entry)

    return read


def _read_field(element: etree._Element, result: VendorExtensions) -> None:
    value = element.get("stringValue") or element.get("expression")
    for child in element:
        value = _text(child) if value is None else value
    result.headers[element.get("name") or ""] = value or ""


def _read_connector(element: etree._Element, result: VendorExtensions) -> None:
    for child in element:
        local = _local(child)[1]
        if local == "connectorId":
            result.connector_id = _text(child)
        elif local == "inputOutput":
            _read_input_output(child, result)


_CLASSIC_READERS: dict[str, Callable[[etree._Element, VendorExtensions], None]] = {
    "properties": _read_properties,
    "inputOutput": _read_input_output,
    "formData": _read_form_data,
    "formProperty": _read_form_property,
    "failedJobRetryTimeCycle": _read_retry_cycle,
    "in": _read_in,
    "out": _read_out,
    "executionListener": _listener("execution"),
    "taskListener": _listener("task"),
    "field": _read_field,
    "connector": _read_connector,
}


# --------------------------------------------------------------------------- zeebe


def _zeebe_mapping(source: str | None, target: str) -> Parameter:
    """A Zeebe mapping: a source without ``=`` is a static string (Zeebe), a dotted target a
    path into a context."""
    static = source is not None and not source.lstrip().startswith("=")
    path = tuple(target.split(".")) if "." in target else ()
    return Parameter(
        name=target, kind="literal" if static else "expression", value=source, path=path
    )


def _read_zeebe(element: etree._Element, local: str, result: VendorExtensions) -> None:
    if local == "ioMapping":
        for child in element:
            kind = _local(child)[1]
            param = _zeebe_mapping(child.get("source"), child.get("target") or "")
            (result.inputs if kind == "input" else result.outputs).append(param)
    elif local == "taskHeaders":
        for header in element:
            result.headers[header.get("key") or ""] = header.get("value") or ""
    elif local == "properties":
        _read_properties(element, result)
    elif local in ("executionListeners", "taskListeners"):
        kind = "execution" if local == "executionListeners" else "task"
        for child in element:
            entry = {"kind": kind, **{k: v for k, v in child.attrib.items() if "}" not in k}}
            result.listeners.append(entry)
    elif local == "userTask":
        result.zeebe_user_task = True
    elif local == "userTaskForm":  # Camunda 8 form JSON embedded at process level
        result.user_task_forms[element.get("id") or ""] = "".join(element.itertext()).strip()
    else:
        result.zeebe[local] = {k: v for k, v in element.attrib.items() if "}" not in k}
