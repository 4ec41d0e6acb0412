"""The JSON encoder of state and variable columns: Django's, plus floats that come back
as floats. PostgreSQL's jsonb keeps numbers as ``numeric`` and prints ``1e+16`` as
``10000000000000000``, which reads back as an int; written as ``10000000000000000.0`` it
keeps its scale and reads back as the same float."""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import (  # type: ignore[attr-defined]
    c_make_encoder,
    encode_basestring,
    encode_basestring_ascii,
)
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def exact_float(value: float) -> str:
    """JSON text of a finite float that every database gives back as this float."""
    text = float.__repr__(value)
    if ("e" in text or "E" in text) and value.is_integer():
        return f"{int(value)}.0"
    return text


def prebuilt_encode(encoder: json.JSONEncoder) -> Callable[[Any], str] | None:
    """``encoder.encode`` as its C encoder does it, that encoder built once (``encode``
    builds one on every call) and without the circular-reference bookkeeping: a value
    that contains itself is refused by the recursion limit (``RecursionError``). None
    where the C encoder does not apply (indented output, no C module)."""
    if c_make_encoder is None or encoder.indent is not None:
        return None
    c_encode = c_make_encoder(
        None,
        encoder.default,
        encode_basestring_ascii if encoder.ensure_ascii else encode_basestring,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )
    return lambda value: "".join(c_encode(value, 0))


class Encoded:
    """JSON text encoded already: ``ExactJSONEncoder`` writes it as it is (so a value
    whose size was measured from its text is not encoded a second time)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class ExactJSONEncoder(DjangoJSONEncoder):
    """``DjangoJSONEncoder`` whose integral floats in exponent form are written in full.

    The fast C encoder runs first; only a text holding an exponent is encoded again by
    the Python encoder with :func:`exact_float`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._c_encode = prebuilt_encode(self)

    def encode(self, o: Any) -> str:
        if type(o) is Encoded:
            return o.text
        # ``JSONEncoder.encode`` calls ``self.iterencode``, which is overridden below with
        # the Python encoder; the C encoder does the common case.
        if self._c_encode is not None:
            text = self._c_encode(o)
        else:
            text = "".join(json.JSONEncoder.iterencode(self, o, _one_shot=True))
        if "e+" not in text and "E+" not in text:
            return text
        return "".join(self.iterencode(o))

    def iterencode(self, o: Any, _one_shot: bool = False) -> Any:
        markers: dict[int, Any] | None = {} if self.check_circular else None
        encoder = (
            json.encoder.encode_basestring_ascii
            if self.ensure_ascii
            else json.encoder.encode_basestring
        )

        def floatstr(value: float) -> str:
            if value != value or abs(value) == float("inf"):
                if not self.allow_nan:
                    raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
                return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
            return exact_float(value)

        return json.encoder._make_iterencode(  # type: ignore[attr-defined]
            markers,
            self.default,
            encoder,
            self.indent,
            floatstr,
            self.key_separator,
            self.item_separator,
            self.sort_keys,
            self.skipkeys,
            _one_shot,
        )(o, 0)
