"""List functions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...errors import EvalFailure
from ...limits import MAX_WORK, check_size, check_weight
from ..chrono import FeelDateTime, FeelTime
from ..types import CTX, Function
from ..values import compare, equal
from .registry import builtin, need


def _list(value: Any) -> list[Any]:
    need(type(value) is list)
    return value


def _items(args: tuple[Any, ...]) -> list[Any]:
    """A single list argument, or the arguments themselves (``max(1, 2)``)."""
    if len(args) == 1 and type(args[0]) is list:
        return args[0]
    need(len(args) > 0)
    return list(args)


def _numbers(args: tuple[Any, ...]) -> list[Decimal]:
    items = _items(args)
    need(all(type(item) is Decimal for item in items))
    return items


def _index_of(items: list[Any], value: Any) -> int:
    for i, item in enumerate(items):
        if equal(item, value) is True:
            return i
    return -1


@builtin("list contains", "list, element")
def list_contains(items: Any, element: Any) -> Any:
    return _index_of(_list(items), element) >= 0


@builtin("count", "list")
def count(*args: Any) -> Any:
    return Decimal(len(_items(args)))


def _extreme(args: tuple[Any, ...], sign: int) -> Any:
    items = _items(args) if args and not (len(args) == 1 and args[0] == []) else []
    if not items:
        return None
    best = items[0]
    for item in items[1:]:
        order = compare(item, best)
        need(order is not None)
        if order == sign:
            best = item
    return best


@builtin("min", "list", "c1, ...")
def min_(*args: Any) -> Any:
    return _extreme(args, -1)


@builtin("max", "list", "c1, ...")
def max_(*args: Any) -> Any:
    return _extreme(args, 1)


@builtin("sum", "list", "n1, ...")
def sum_(*args: Any) -> Any:
    if len(args) == 1 and args[0] == []:
        return None
    total = Decimal(0)
    for item in _numbers(args):
        total = CTX.add(total, item)
    return total


@builtin("product", "list", "n1, ...")
def product(*args: Any) -> Any:
    if len(args) == 1 and args[0] == []:
        return None
    total = Decimal(1)
    for item in _numbers(args):
        total = CTX.multiply(total, item)
    return total


@builtin("mean", "list", "n1, ...")
def mean(*args: Any) -> Any:
    items = _numbers(args)
    need(len(items) > 0)
    return CTX.divide(sum_(items), Decimal(len(items)))


@builtin("median", "list", "n1, ...")
def median(*args: Any) -> Any:
    if len(args) == 1 and args[0] == []:
        return None
    items = sorted(_numbers(args))
    middle = len(items) // 2
    if len(items) % 2:
        return items[middle]
    return CTX.divide(CTX.add(items[middle - 1], items[middle]), Decimal(2))


@builtin("stddev", "list", "n1, ...")
def stddev(*args: Any) -> Any:
    items = _numbers(args)
    need(len(items) > 1)
    average = mean(items)
    squares = Decimal(0)
    for item in items:
        diff = CTX.subtract(item, average)
        squares = CTX.add(squares, CTX.multiply(diff, diff))
    return CTX.sqrt(CTX.divide(squares, Decimal(len(items) - 1)))


@builtin("mode", "list", "n1, ...")
def mode(*args: Any) -> Any:
    if len(args) == 1 and args[0] == []:
        return []
    items = _numbers(args)
    counts: dict[Decimal, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    top = max(counts.values())
    return sorted(k for k, v in counts.items() if v == top)


@builtin("all", "list", "b1, ...")
def all_(*args: Any) -> Any:
    items = [] if len(args) == 1 and args[0] == [] else _items(args)
    need(all(item is None or type(item) is bool for item in items))
    if False in items:
        return False
    return None if None in items else True


@builtin("any", "list", "b1, ...")
def any_(*args: Any) -> Any:
    items = [] if len(args) == 1 and args[0] == [] else _items(args)
    need(all(item is None or type(item) is bool for item in items))
    if True in items:
        return True
    return None if None in items else False


@builtin("sublist", "list, start position, length?")
def sublist(items: Any, start: Any, length: Any = None) -> Any:
    items = _list(items)
    need(type(start) is Decimal and start != 0)
    begin = int(start)
    index = begin - 1 if begin > 0 else len(items) + begin
    need(0 <= index < len(items))
    if length is None:
        return items[index:]
    need(type(length) is Decimal and length >= 0)
    need(index + int(length) <= len(items))
    return items[index : index + int(length)]


@builtin("append", "list, ...")
def append(items: Any, *more: Any) -> Any:
    result = [*_list(items), *more]
    check_size(len(result))
    return check_weight(result)


@builtin("concatenate", "list, ...")
def concatenate(*lists: Any) -> Any:
    result: list[Any] = []
    for items in lists:
        result.extend(_list(items))
    check_size(len(result))
    return check_weight(result)


@builtin("insert before", "list, position, newItem")
def insert_before(items: Any, position: Any, new_item: Any) -> Any:
    items = list(_list(items))
    need(type(position) is Decimal and position != 0)
    pos = int(position)
    index = pos - 1 if pos > 0 else len(items) + pos
    need(0 <= index < len(items))
    items.insert(index, new_item)
    return items


@builtin("remove", "list, position")
def remove(items: Any, position: Any) -> Any:
    items = list(_list(items))
    need(type(position) is Decimal and position != 0)
    pos = int(position)
    index = pos - 1 if pos > 0 else len(items) + pos
    need(0 <= index < len(items))
    del items[index]
    return items


@builtin("reverse", "list")
def reverse(items: Any) -> Any:
    return list(reversed(_list(items)))


@builtin("index of", "list, match")
def index_of(items: Any, match: Any) -> Any:
    return [Decimal(i + 1) for i, item in enumerate(_list(items)) if equal(item, match) is True]


_BY_FEEL_EQUALITY = (list, dict, FeelTime, FeelDateTime)
"""Compared with FEEL's ``=`` rather than hashed: times and date-times are equal by whole
seconds (and by instant, across zones)."""


def _hash_key(item: Any) -> Any:
    """A hashable key equal for FEEL-equal scalars (None for lists and contexts)."""
    if type(item) in _BY_FEEL_EQUALITY:
        return None
    try:
        return (type(item), item)
    except TypeError:
        return None


@builtin("union", "list, ...")
def union(*lists: Any) -> Any:
    result: list[Any] = []
    seen: set[Any] = set()
    compound: list[Any] = []
    for items in lists:
        for item in _list(items):
            key = _hash_key(item)
            if key is not None:
                try:
                    if key in seen:
                        continue
                    seen.add(key)
                except TypeError:
                    key = None
            if key is None:
                if len(compound) * len(compound) > MAX_WORK:
                    raise EvalFailure(f"distinct values over {len(compound)} lists is too large")
                if _index_of(compound, item) >= 0:
                    continue
                compound.append(item)
            result.append(item)
    return result


@builtin("distinct values", "list")
def distinct_values(items: Any) -> Any:
    return union(_list(items))


@builtin("flatten", "list")
def flatten(items: Any) -> Any:
    result: list[Any] = []

    def walk(values: list[Any]) -> None:
        for value in values:
            if type(value) is list:
                walk(value)
            else:
                result.append(value)

    walk(_list(items))
    return result


@builtin("sort", "list, precedes?")
def sort(items: Any, precedes: Any = None) -> Any:
    import functools

    items = list(_list(items))
    if precedes is None:
        need(all(compare(items[0], item) is not None for item in items) if items else True)
        return sorted(items, key=functools.cmp_to_key(lambda a, b: compare(a, b) or 0))
    need(type(precedes) is Function)

    def order(a: Any, b: Any) -> int:
        if precedes.call(a, b) is True:
            return -1
        return 1 if precedes.call(b, a) is True else 0

    return sorted(items, key=functools.cmp_to_key(order))
