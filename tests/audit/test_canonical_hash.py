"""The write path's hash (``chained_hash``, the canonical text written out field by field)
is the hash the verifier computes (``event_hash`` over ``canonical_json`` of the body), for
values that stress the JSON text: quotes, escapes, non-ASCII, line separators, nulls."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from bpmn_engine.audit.canonical import (
    GENESIS,
    canonical_json,
    chained_hash,
    event_hash,
    format_time,
)

pytestmark = pytest.mark.pure

AWKWARD = ["plain", 'quote " and \\ back', "tab\tnew\nline", "é ü 漢字 😀", "\u2028\u2029\x00", ""]


@pytest.mark.parametrize("text", AWKWARD)
@pytest.mark.parametrize("ids", [(7, 3), (None, None), (2**40, None)])
def test_the_write_paths_hash_is_the_verifiers_hash(text, ids):
    instance_id, definition_id = ids
    body = {
        "stream": f"instance:{text}",
        "seq": 12,
        "occurred_at": "2026-03-02T09:00:00.000000Z",
        "event_type": text or "activity.started",
        "actor_kind": "user",
        "actor_id": text,
        "instance_id": instance_id,
        "definition_id": definition_id,
        "element_id": text,
        "data": canonical_json({"name": text, "n": [1, 2.5, None, True]}),
    }
    assert chained_hash("a" * 64, **body) == event_hash("a" * 64, body)
    assert chained_hash(GENESIS, **body) == event_hash(GENESIS, body)


def test_canonical_json_is_json_dumps_with_the_canonical_options():
    value = {"b": [1, {"z": "é", "a": None}], "a": "\u2028", "c": 1.5}
    assert canonical_json(value) == json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


@pytest.mark.parametrize(
    "value",
    [
        'text with \u2028 and "quotes"',
        5,
        2.5,
        None,
        True,
        [],
        {},
        {2: "int key", 1: [float("inf"), -0.0, 1e300]},
        [{"nested": {"deeper": [1, "é"]}}],
    ],
)
def test_canonical_json_of_any_json_value_is_json_dumps_with_the_canonical_options(value):
    assert canonical_json(value) == json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def test_canonical_json_writes_non_json_values_as_before():
    when = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    value = {"when": when, "amount": Decimal("1.10"), "set": {"b", "a"}, "pair": (1, 2)}
    assert canonical_json(value) == (
        '{"amount":"1.10","pair":[1,2],"set":["a","b"],"when":"2026-03-02T07:00:00.000000Z"}'
    )


def test_a_value_that_contains_itself_is_refused():
    looped: list[object] = []
    looped.append(looped)
    with pytest.raises(RecursionError):
        canonical_json(looped)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), "2026-03-02T09:00:00.000000Z"),
        (datetime(2026, 3, 2, 9, 0, 0, 5, tzinfo=UTC), "2026-03-02T09:00:00.000005Z"),
        (
            datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=timezone(timedelta(hours=-3))),
            "2026-03-02T04:30:00.123456Z",
        ),
    ],
)
def test_event_times_are_utc_iso_8601_with_microseconds(value, text):
    assert format_time(value) == text
