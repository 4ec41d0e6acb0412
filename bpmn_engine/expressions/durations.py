"""The engine's one ISO 8601 duration grammar: ``[-]PnYnMnWnDTnHnMnS``.

Every part is optional (at least one is given; ``T`` needs a time part after it), numbers
may carry a fraction (``.`` or ``,``). ``scan_duration`` reads the text into its parts and
nothing more; each consumer states its profile on top of the same parts: BPMN timers
(``bpmn.timers.parse_duration``: calendar-aware, no negative durations), the expression
``duration()`` function (``expressions.temporal``: exact ``timedelta``) and FEEL literals
(``expressions.feel.temporal``: years-months or days-time, fractions on seconds only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from decimal import Decimal

_NUMBER = r"[0-9]+(?:[.,][0-9]+)?"
_SECONDS = r"[0-9]+(?:[.,][0-9]*)?"  # XML Schema: seconds may end in a bare point ("0.")
_DURATION = re.compile(
    rf"(?P<sign>-)?P(?!$)(?:(?P<years>{_NUMBER})Y)?(?:(?P<months>{_NUMBER})M)?"
    rf"(?:(?P<weeks>{_NUMBER})W)?(?:(?P<days>{_NUMBER})D)?"
    rf"(?:T(?=[0-9])(?:(?P<hours>{_NUMBER})H)?(?:(?P<minutes>{_NUMBER})M)?"
    rf"(?:(?P<seconds>{_SECONDS})S)?)?",
    re.ASCII,
)
MAX_DURATION_TEXT = 80


@dataclass(frozen=True)
class DurationParts:
    """The parts of a duration text as written (None: the part is absent)."""

    negative: bool
    years: Decimal | None
    months: Decimal | None
    weeks: Decimal | None
    days: Decimal | None
    hours: Decimal | None
    minutes: Decimal | None
    seconds: Decimal | None
    comma: bool  # a fraction written with ``,``

    def given(self) -> dict[str, Decimal]:
        """The parts present, by name."""
        return {
            f.name: value
            for f in fields(self)
            if f.name not in ("negative", "comma") and (value := getattr(self, f.name)) is not None
        }

    def fractional(self) -> set[str]:
        """Names of the parts written with a fraction."""
        return {name for name, value in self.given().items() if value != value.to_integral()}


def scan_duration(text: str) -> DurationParts | None:
    """The parts of ``text`` (exactly as given: callers strip or upper-case first), or None
    when it is not a duration (or longer than ``MAX_DURATION_TEXT``)."""
    if len(text) > MAX_DURATION_TEXT:
        return None
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    groups = match.groupdict()
    values = {
        name: None if groups[name] is None else Decimal(groups[name].replace(",", "."))
        for name in ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
    }
    return DurationParts(negative=bool(groups["sign"]), comma="," in text, **values)
