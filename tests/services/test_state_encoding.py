"""The JSON encoder of the state column: exact floats, and the C encoder for the rest."""

from __future__ import annotations

import json
from typing import Any

from bpmn_engine.models.encoding import Encoded, ExactJSONEncoder


class CountingEncoder(ExactJSONEncoder):
    """Counts how often the (Python) exact-float encoder runs."""

    python_passes = 0

    def iterencode(self, o: Any, _one_shot: bool = False) -> Any:
        CountingEncoder.python_passes += 1
        return super().iterencode(o, _one_shot)


def test_a_state_without_exponent_floats_is_encoded_by_the_c_encoder_alone():
    CountingEncoder.python_passes = 0
    state = {"tokens": {f"t-{n}": {"node_id": "Review", "n": n, "x": 1.5} for n in range(50)}}
    text = json.dumps(state, cls=CountingEncoder)
    assert json.loads(text) == state
    assert CountingEncoder.python_passes == 0


def test_integral_floats_in_exponent_form_are_written_in_full():
    CountingEncoder.python_passes = 0
    text = json.dumps({"big": 1e16, "name": "x", "small": 1e-7}, cls=CountingEncoder)
    assert text == '{"big": 10000000000000000.0, "name": "x", "small": 1e-07}'
    assert CountingEncoder.python_passes == 1


def test_pre_encoded_text_is_written_as_it_is():
    text = '{"id": "t-1", "name": "é"}'
    assert json.dumps(Encoded(text), cls=ExactJSONEncoder) == text
