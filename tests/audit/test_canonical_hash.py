"""The write path's hash (``chained_hash``, the canonical text written out field by field)
is the hash the verifier computes (``event_hash`` over ``canonical_json`` of the body), for
values that stress the JSON text: quotes, escapes, non-ASCII, line separators, nulls."""

from __future__ import annotations

import json

import pytest

from bpmn_engine.audit.canonical import GENESIS, canonical_json, chained_hash, event_hash

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
