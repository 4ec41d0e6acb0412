"""typeRef checks: built-in FEEL types and item definitions, with DMN's coercions.

A value that does not conform to its declared type becomes null; a singleton list
conforms to a non-collection type through its only item, and a single value to a
collection type as a one-item list (DMN 1.5, 10.3.2.9.4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from bpmn_engine.expressions.feel import Env, Function, compile_tests, type_of
from bpmn_engine.expressions.feel.types import Range

from .model import ItemDefinition

_BUILTIN = {
    "number": "number",
    "string": "string",
    "boolean": "boolean",
    "date": "date",
    "time": "time",
    "dateTime": "date and time",
    "date and time": "date and time",
    "dayTimeDuration": "days and time duration",
    "days and time duration": "days and time duration",
    "yearMonthDuration": "years and months duration",
    "years and months duration": "years and months duration",
    "duration": "duration",
    "context": "context",
    "list": "list",
    "range": "range",
    "function": "function",
}

Coerce = Callable[[Any], Any]
_NO_VALUE = object()


def _strip(type_ref: str) -> str:
    for prefix in ("feel:", "FEEL:"):
        if type_ref.startswith(prefix):
            return type_ref[len(prefix) :]
    return type_ref


class TypeRegistry:
    """Resolves typeRefs against a model's item definitions (and imported ones)."""

    def __init__(
        self, items: tuple[ItemDefinition, ...], names: tuple[str, ...] = (), strict: bool = False
    ) -> None:
        self.items = {item.name: item for item in items}
        self.strict = strict
        self.imported: dict[str, TypeRegistry] = {}
        self.names = names

    def resolve(self, type_ref: str) -> ItemDefinition | str | None:
        name = _strip(type_ref.strip())
        if name in self.items:
            return self.items[name]
        if "." in name:
            prefix, _, rest = name.partition(".")
            if prefix in self.imported:
                return self.imported[prefix].resolve(rest)
        if name in _BUILTIN:
            return _BUILTIN[name]
        return None

    def conforms(self, value: Any, type_ref: str | None) -> bool:
        if value is None or not type_ref or _strip(type_ref) == "Any":
            return True
        target = self.resolve(type_ref)
        if target is None:
            return True
        if isinstance(target, str):
            return _builtin_conforms(value, target)
        return self._item_conforms(value, target)

    def _item_conforms(self, value: Any, item: ItemDefinition) -> bool:
        if item.is_collection:
            if type(value) is not list:
                return False
            single = ItemDefinition(
                name=item.name,
                type_ref=item.type_ref,
                components=item.components,
                allowed_values=item.allowed_values,
            )
            return all(v is None or self._item_conforms(v, single) for v in value)
        if item.function_type:
            return type(value) is Function
        if item.components:
            if type(value) is not dict:
                return False
            if any(c.name not in value for c in item.components):
                return False
            return all(
                self._item_conforms(value[c.name], c)
                for c in item.components
                if c.name in value and value[c.name] is not None
            )
        if item.type_ref and not self.conforms(value, item.type_ref):
            return False
        if item.allowed_values and not self.strict:
            tests = compile_tests(item.allowed_values, self.names)
            return tests.matches(value, Env({})) is True
        return True

    def coerce(self, value: Any, type_ref: str | None) -> Any:
        """``value`` as the declared type: itself, a singleton conversion, or null."""
        if value is None or not type_ref:
            return value
        if self.conforms(value, type_ref):
            return value
        if type(value) is list and len(value) == 1 and self.conforms(value[0], type_ref):
            return value[0]
        if self.is_collection(type_ref) and self.conforms([value], type_ref):
            return [value]
        return None

    def output_type(self, type_ref: str | None) -> str | None:
        """The result type of a function typed ``type_ref`` (a ``functionItem``'s
        ``outputTypeRef``); None when it declares none."""
        target = None if not type_ref else self.resolve(type_ref)
        if isinstance(target, ItemDefinition) and target.function_type:
            return target.output_type_ref
        return None

    def is_collection(self, type_ref: str) -> bool:
        target = self.resolve(type_ref)
        return isinstance(target, ItemDefinition) and target.is_collection


def _builtin_conforms(value: Any, name: str) -> bool:
    actual = type_of(value)
    if name == "duration":
        return actual in ("days and time duration", "years and months duration")
    if name == "range":
        return type(value) is Range
    return actual == name


class TypePredicates(Mapping[str, Callable[[Any], bool]]):
    """Item definitions as ``instance of`` predicates for the FEEL compiler."""

    def __init__(self, registry: TypeRegistry) -> None:
        self.registry = TypeRegistry(tuple(registry.items.values()), registry.names, strict=True)
        self.registry.imported = registry.imported

    def __getitem__(self, name: str) -> Callable[[Any], bool]:
        if name not in self.registry.items:
            raise KeyError(name)
        return lambda value: value is not None and self.registry.conforms(value, name)

    def __contains__(self, name: object) -> bool:
        return name in self.registry.items

    def __iter__(self) -> Iterator[str]:
        return iter(self.registry.items)

    def __len__(self) -> int:
        return len(self.registry.items)
