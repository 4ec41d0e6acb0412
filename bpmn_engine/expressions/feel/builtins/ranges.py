"""Range functions (DMN 1.5, 10.3.4.9): before, after, meets, overlaps, ..."""

from __future__ import annotations

from typing import Any

from ..types import Range
from ..values import compare
from .registry import builtin, need


def _cmp(a: Any, b: Any) -> int:
    order = compare(a, b)
    need(order is not None)
    return order  # type: ignore[return-value]


def _point(value: Any) -> Range:
    return value if type(value) is Range else Range(value, value, True, True)


def _both(a: Any, b: Any) -> tuple[Range, Range]:
    need(a is not None and b is not None)
    return _point(a), _point(b)


def _before(a: Range, b: Range) -> bool:
    order = _cmp(a.end, b.start)
    return order < 0 or (order == 0 and not (a.end_closed and b.start_closed))


@builtin("before", "point1, point2", "point, range", "range, point", "range1, range2")
def before(a: Any, b: Any) -> Any:
    return _before(*_both(a, b))


@builtin("after", "point1, point2", "point, range", "range, point", "range1, range2")
def after(a: Any, b: Any) -> Any:
    x, y = _both(a, b)
    return _before(y, x)


def _meets(a: Range, b: Range) -> bool:
    return a.end_closed and b.start_closed and _cmp(a.end, b.start) == 0


@builtin("meets", "range1, range2")
def meets(a: Any, b: Any) -> Any:
    need(type(a) is Range and type(b) is Range)
    return _meets(a, b)


@builtin("met by", "range1, range2")
def met_by(a: Any, b: Any) -> Any:
    need(type(a) is Range and type(b) is Range)
    return _meets(b, a)


@builtin("overlaps", "range1, range2")
def overlaps(a: Any, b: Any) -> Any:
    need(type(a) is Range and type(b) is Range)
    end_start = _cmp(a.end, b.start)
    start_end = _cmp(a.start, b.end)
    return (end_start > 0 or (end_start == 0 and a.end_closed and b.start_closed)) and (
        start_end < 0 or (start_end == 0 and a.start_closed and b.end_closed)
    )


def _overlaps_before(a: Range, b: Range) -> bool:
    starts = _cmp(a.start, b.start)
    end_start = _cmp(a.end, b.start)
    ends = _cmp(a.end, b.end)
    return (
        (starts < 0 or (starts == 0 and a.start_closed and not b.start_closed))
        and (end_start > 0 or (end_start == 0 and a.end_closed and b.start_closed))
        and (ends < 0 or (ends == 0 and (not a.end_closed or b.end_closed)))
    )


@builtin("overlaps before", "range1, range2")
def overlaps_before(a: Any, b: Any) -> Any:
    need(type(a) is Range and type(b) is Range)
    return _overlaps_before(a, b)


@builtin("overlaps after", "range1, range2")
def overlaps_after(a: Any, b: Any) -> Any:
    need(type(a) is Range and type(b) is Range)
    return _overlaps_before(b, a)


def _finishes(a: Any, b: Range) -> bool:
    if type(a) is not Range:
        return b.end_closed and _cmp(b.end, a) == 0
    starts = _cmp(a.start, b.start)
    return (
        a.end_closed == b.end_closed
        and _cmp(a.end, b.end) == 0
        and (starts > 0 or (starts == 0 and (not a.start_closed or b.start_closed)))
    )


@builtin("finishes", "point, range", "range1, range2")
def finishes(a: Any, b: Any) -> Any:
    need(type(b) is Range and a is not None)
    return _finishes(a, b)


@builtin("finished by", "range, point", "range1, range2")
def finished_by(a: Any, b: Any) -> Any:
    need(type(a) is Range and b is not None)
    return _finishes(b, a)


def _includes(a: Range, b: Any) -> bool:
    if type(b) is not Range:
        from ..tests import in_range

        return in_range(b, a) is True
    starts = _cmp(a.start, b.start)
    ends = _cmp(a.end, b.end)
    return (starts < 0 or (starts == 0 and (a.start_closed or not b.start_closed))) and (
        ends > 0 or (ends == 0 and (a.end_closed or not b.end_closed))
    )


@builtin("includes", "range, point", "range1, range2")
def includes(a: Any, b: Any) -> Any:
    need(type(a) is Range and b is not None)
    return _includes(a, b)


@builtin("during", "point, range", "range1, range2")
def during(a: Any, b: Any) -> Any:
    need(type(b) is Range and a is not None)
    return _includes(b, a)


def _starts(a: Any, b: Range) -> bool:
    if type(a) is not Range:
        return b.start_closed and _cmp(b.start, a) == 0
    ends = _cmp(a.end, b.end)
    return (
        _cmp(a.start, b.start) == 0
        and a.start_closed == b.start_closed
        and (ends < 0 or (ends == 0 and (not a.end_closed or b.end_closed)))
    )


@builtin("starts", "point, range", "range1, range2")
def starts(a: Any, b: Any) -> Any:
    need(type(b) is Range and a is not None)
    return _starts(a, b)


@builtin("started by", "range, point", "range1, range2")
def started_by(a: Any, b: Any) -> Any:
    need(type(a) is Range and b is not None)
    return _starts(b, a)


@builtin("coincides", "point1, point2", "range1, range2")
def coincides(a: Any, b: Any) -> Any:
    x, y = _both(a, b)
    return (
        _cmp(x.start, y.start) == 0
        and _cmp(x.end, y.end) == 0
        and x.start_closed == y.start_closed
        and x.end_closed == y.end_closed
    )
