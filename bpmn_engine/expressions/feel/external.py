"""External Java functions without Java: a fixed allowlist of pure static methods.

DMN lets a function be bound to a Java method (``function(x) external {java: {class:
"java.lang.Math", method signature: "cos(double)"}}``, or a boxed function definition of
kind ``Java``). Running host code or reflecting on class names would break the sandbox,
so only the well-known side-effect-free static methods listed in :data:`METHODS` are
recognised, each implemented here in Python with Java's semantics for the declared
parameter and result types (``double`` through a binary float, ``float`` through a 32-bit
one, ``int``/``long``/``short``/``byte`` whole numbers in their range, ``char`` a
one-character string). An unknown class, method or signature is a :class:`FeelError`
when the function is defined; arguments that do not fit the declared Java types make
a call null, like a built-in's.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .types import CTX, FeelError, Function
from .values import number, to_text

_INT_BITS = {"int": 32, "long": 64, "short": 16, "byte": 8}
_NO = object()  # an argument that does not fit its Java type


def _float32(value: float) -> float:
    return float(struct.unpack("f", struct.pack("f", value))[0])


def _to_java(value: Any, kind: str) -> Any:
    """A FEEL argument as the Java parameter type ``kind`` (or ``_NO``)."""
    if kind in ("double", "float"):
        if type(value) is not Decimal:
            return _NO
        try:
            result = float(value)
            return _float32(result) if kind == "float" else result
        except OverflowError:
            return _NO
    if kind in _INT_BITS:
        if type(value) is not Decimal or value != value.to_integral_value():
            return _NO
        whole, bits = int(value), _INT_BITS[kind]
        return whole if -(2 ** (bits - 1)) <= whole < 2 ** (bits - 1) else _NO
    if kind == "char":
        return value if type(value) is str and len(value) == 1 else _NO
    if kind == "java.lang.String":
        return value if type(value) is str else _NO
    if kind == "boolean":
        return value if type(value) is bool else _NO
    return value  # java.lang.Object


def _from_java(value: Any, kind: str) -> Any:
    """A Java result of type ``kind`` as a FEEL value."""
    if value is None:
        return None
    if kind == "double":
        return None if math.isnan(value) or math.isinf(value) else number(value)
    if kind == "float":
        if math.isnan(value) or math.isinf(value):
            return None
        for digits in range(1, 10):  # Java's Float.toString: the shortest text that reads back
            text = f"{value:.{digits}g}"
            if _float32(float(text)) == value:
                return CTX.create_decimal(text)
        return number(value)
    if kind in _INT_BITS:
        bits = _INT_BITS[kind]
        whole = int(value)
        return Decimal(whole) if -(2 ** (bits - 1)) <= whole < 2 ** (bits - 1) else None
    return value  # String, char, boolean


_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?\Z")


def _parse_int(text: str) -> int | None:
    return int(text) if _INTEGER.match(text) else None


def _parse_float(text: str) -> float | None:
    text = text.strip()
    return float(text.rstrip("fFdD")) if len(text) <= 400 and _DECIMAL.match(text) else None


def _round(value: float) -> int:
    return math.floor(value + 0.5)


def _floor_div(a: int, b: int) -> int | None:
    return None if b == 0 else a // b


def _floor_mod(a: int, b: int) -> int | None:
    return None if b == 0 else a % b


def _format(template: str, *args: Any) -> str | None:
    """Java's ``String.format`` for ``%s``, ``%d``, ``%n`` and ``%%`` (other conversions:
    null)."""
    out: list[str] = []
    pieces = iter(args)
    position = 0
    for match in re.finditer(r"%(.)", template):
        out.append(template[position : match.start()])
        position = match.end()
        code = match.group(1)
        if code == "%":
            out.append("%")
        elif code == "n":
            out.append("\n")
        elif code in ("s", "d"):
            value = next(pieces, _NO)
            if value is _NO:
                return None
            if code == "d" and (type(value) is not Decimal or value != value.to_integral()):
                return None
            out.append(to_text(value))
        else:
            return None
    if template.endswith("%") and not template.endswith("%%"):
        return None
    out.append(template[position:])
    return "".join(out)


def _sign(value: float) -> float:
    return math.copysign(1.0, value) if value else value


Method = tuple[Callable[..., Any], str]
"""An implementation and its Java result type."""

_DOUBLE_1: dict[str, Callable[..., Any]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "exp": math.exp,
    "expm1": math.expm1,
    "log": math.log,
    "log10": math.log10,
    "log1p": math.log1p,
    "sqrt": math.sqrt,
    "cbrt": lambda x: math.copysign(abs(x) ** (1 / 3), x),
    "floor": math.floor,
    "ceil": math.ceil,
    "rint": round,
    "signum": _sign,
    "toDegrees": math.degrees,
    "toRadians": math.radians,
    "abs": abs,
}


def _methods() -> dict[tuple[str, str, tuple[str, ...]], Method]:
    found: dict[tuple[str, str, tuple[str, ...]], Method] = {}
    math_class = "java.lang.Math"
    for name, fn in _DOUBLE_1.items():
        found[(math_class, name, ("double",))] = (_nan_safe(fn), "double")
    for name, fn2 in (("atan2", math.atan2), ("pow", math.pow), ("hypot", math.hypot)):
        found[(math_class, name, ("double", "double"))] = (_nan_safe(fn2), "double")
    for kind in ("double", "float", "int", "long"):
        found[(math_class, "max", (kind, kind))] = (max, kind)
        found[(math_class, "min", (kind, kind))] = (min, kind)
        found[(math_class, "abs", (kind,))] = (abs, kind)
    for kind in ("int", "long"):
        found[(math_class, "floorDiv", (kind, kind))] = (_floor_div, kind)
        found[(math_class, "floorMod", (kind, kind))] = (_floor_mod, kind)
    found[(math_class, "round", ("double",))] = (_round, "long")
    found[(math_class, "round", ("float",))] = (_round, "int")
    boxes = {"Integer": "int", "Long": "long", "Short": "short", "Byte": "byte"}
    for box, kind in boxes.items():
        parse = "parseInt" if box == "Integer" else f"parse{box}"
        for name in ("valueOf", parse):
            found[(f"java.lang.{box}", name, ("java.lang.String",))] = (_parse_int, kind)
        found[(f"java.lang.{box}", "valueOf", (kind,))] = (int, kind)
    for box, kind in (("Double", "double"), ("Float", "float")):
        for name in ("valueOf", f"parse{box}"):
            found[(f"java.lang.{box}", name, ("java.lang.String",))] = (_parse_float, kind)
        found[(f"java.lang.{box}", "valueOf", (kind,))] = (float, kind)
    boolean = "java.lang.Boolean"
    for name in ("valueOf", "parseBoolean"):
        found[(boolean, name, ("java.lang.String",))] = (lambda s: s.lower() == "true", "boolean")
    found[(boolean, "valueOf", ("boolean",))] = (bool, "boolean")
    text = "java.lang.String"
    found[(text, "valueOf", ("char",))] = (str, text)
    found[(text, "valueOf", ("boolean",))] = (lambda b: "true" if b else "false", text)
    found[(text, "valueOf", ("int",))] = (str, text)
    found[(text, "valueOf", ("long",))] = (str, text)
    found[(text, "format", ("java.lang.String", "[Ljava.lang.Object;"))] = (_format, text)
    return found


def _nan_safe(fn: Callable[..., Any]) -> Callable[..., float]:
    """Java's Math returns NaN or an infinity where Python raises (``log(-1)``)."""

    def call(*args: float) -> float:
        try:
            return float(fn(*args))
        except (ValueError, OverflowError):
            return math.nan

    return call


METHODS = _methods()
"""(class, method, parameter types) -> (implementation, Java result type)."""

_SIGNATURE = re.compile(r"\s*([A-Za-z_$][\w$]*)\s*\(([^()]*)\)\s*\Z")


def _parameter_types(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",")) if text.strip() else ()


def java_function(name: str, params: tuple[str, ...], mapping: Any) -> Function:
    """The FEEL function for an external mapping ``{java: {class, method signature}}``."""
    java = mapping.get("java") if type(mapping) is dict else None
    if type(java) is not dict:
        raise FeelError("an external function needs a {java: {...}} mapping")
    class_name, signature = java.get("class"), java.get("method signature")
    if type(class_name) is not str or type(signature) is not str:
        raise FeelError("an external Java function needs a class and a method signature")
    match = _SIGNATURE.match(signature)
    if match is None:
        raise FeelError(f"invalid Java method signature {signature[:120]!r}")
    method, types = match.group(1), _parameter_types(match.group(2))
    found = METHODS.get((class_name.strip(), method, types))
    if found is None:
        raise FeelError(
            f"external Java function {class_name[:80]}.{method}({', '.join(types)[:120]}) is "
            "not available: only pure static methods of an allowlist are (java.lang.Math, "
            "valueOf/parse of the boxed types, String.valueOf and String.format)"
        )
    fn, result = found
    varargs = bool(types) and types[-1].startswith("[")
    fixed = types[:-1] if varargs else types

    def call(*args: Any) -> Any:
        if len(args) < len(fixed) or (not varargs and len(args) > len(fixed)):
            return None
        values = [_to_java(a, t) for a, t in zip(args, fixed, strict=False)]
        if any(v is _NO for v in values):
            return None
        values.extend(args[len(fixed) :])
        try:
            return _from_java(fn(*values), result)
        except (ValueError, OverflowError, ArithmeticError, TypeError):
            return None

    return Function(name, (params,), call)
