"""String functions."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal
from typing import Any

from ...limits import check_size
from ..types import CTX
from ..values import to_text
from .registry import builtin, need
from .xpath_regex import compile_regex


def _str(value: Any) -> str:
    need(type(value) is str)
    return value


def _int(value: Any) -> int:
    need(type(value) is Decimal and value == value.to_integral_value())
    return int(value)


@builtin("string", "from")
def string(value: Any) -> Any:
    return None if value is None else to_text(value)


@builtin("substring", "string, start position, length?")
def substring(text: Any, start: Any, length: Any = None) -> Any:
    text = _str(text)
    begin = _int(start)
    size = len(text)
    need(begin != 0)
    index = begin - 1 if begin > 0 else size + begin
    index = max(index, 0)
    if length is None:
        return text[index:]
    count = _int(length.to_integral_value(ROUND_DOWN)) if type(length) is Decimal else _int(length)
    return text[index : index + count]


@builtin("string length", "string")
def string_length(text: Any) -> Any:
    return Decimal(len(_str(text)))


@builtin("upper case", "string")
def upper_case(text: Any) -> Any:
    return _str(text).upper()


@builtin("lower case", "string")
def lower_case(text: Any) -> Any:
    return _str(text).lower()


@builtin("substring before", "string, match")
def substring_before(text: Any, match: Any) -> Any:
    text, match = _str(text), _str(match)
    index = text.find(match)
    return "" if index < 0 else text[:index]


@builtin("substring after", "string, match")
def substring_after(text: Any, match: Any) -> Any:
    text, match = _str(text), _str(match)
    index = text.find(match)
    return "" if index < 0 else text[index + len(match) :]


@builtin("contains", "string, match")
def contains(text: Any, match: Any) -> Any:
    return _str(match) in _str(text)


@builtin("starts with", "string, match")
def starts_with(text: Any, match: Any) -> Any:
    return _str(text).startswith(_str(match))


@builtin("ends with", "string, match")
def ends_with(text: Any, match: Any) -> Any:
    return _str(text).endswith(_str(match))


@builtin("matches", "input, pattern, flags?")
def matches(text: Any, pattern: Any, flags: Any = None) -> Any:
    regex = compile_regex(_str(pattern), "" if flags is None else _str(flags))
    return regex.search(_str(text)) is not None


@builtin("replace", "input, pattern, replacement, flags?")
def replace(text: Any, pattern: Any, replacement: Any, flags: Any = None) -> Any:
    regex = compile_regex(_str(pattern), "" if flags is None else _str(flags))
    template = _str(replacement)
    need(not regex.match(""))
    python_template = re.sub(r"\\(\$)|\$(\d)", lambda m: "$" if m[1] else "\\g<" + m[2] + ">",
                             template.replace("\\\\", "\x00"))  # fmt: skip
    result = regex.sub(python_template.replace("\x00", "\\\\"), _str(text))
    check_size(len(result))
    return result


@builtin("split", "string, delimiter")
def split(text: Any, delimiter: Any) -> Any:
    regex = compile_regex(_str(delimiter), "")
    need(not regex.match(""))
    return regex.split(_str(text))


@builtin("string join", "list, delimiter?")
def string_join(items: Any, delimiter: Any = None) -> Any:
    need(items is not None)
    items = items if type(items) is list else [items]
    sep = "" if delimiter is None else _str(delimiter)
    need(all(item is None or type(item) is str for item in items))
    result = sep.join(item for item in items if item is not None)
    check_size(len(result))
    return result


@builtin("number", "from, grouping separator?, decimal separator?")
def number(text: Any, grouping: Any = None, decimal_sep: Any = None) -> Any:
    text = _str(text)
    need(grouping in (None, " ", ",", ".") and decimal_sep in (None, ",", "."))
    need(grouping is None or grouping != decimal_sep)
    if grouping:
        text = text.replace(grouping, "")
    if decimal_sep:
        text = text.replace(decimal_sep, ".")
    need(re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text) is not None)
    return CTX.create_decimal(text)
