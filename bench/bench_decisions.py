"""Micro-benchmark of DMN decision tables and FEEL (run: python bench/bench_decisions.py).

Prints microseconds per evaluation for a 100-rule and a 1,000-rule table with the hit
policies FIRST and COLLECT, the matching rule at the end, and for a few FEEL expressions.
Three tables: "literal lists" has a string column of literal lists (indexed by value, so
only the rules listing the input's value are tested); in "ranges only" that column is
``-`` and the number ranges are indexed by their bounds; in "? expressions" the range
is written ``? >= low and ? < high`` and the strings ``? in [...]``, which no index or
fast path reads, so every rule runs its compiled FEEL tests."""

from __future__ import annotations

import timeit
from datetime import date, timedelta

from bpmn_engine.dmn import DecisionModel, parse_dmn
from bpmn_engine.expressions.feel import compile_feel

HEAD = (
    '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" '
    'namespace="bench"><decision id="table" name="Table"><decisionTable id="t" '
    'hitPolicy="{hit}"><input id="a"><inputExpression typeRef="number"><text>amount</text>'
    '</inputExpression></input><input id="c"><inputExpression typeRef="string">'
    "<text>category</text></inputExpression></input>"
    '<output id="o" name="group" typeRef="string"/>'
)
RULE = (
    '<rule id="r{i}"><inputEntry><text>[{low}..{high})</text></inputEntry>'
    '<inputEntry><text>"c{cat}", "other"</text></inputEntry>'
    '<outputEntry><text>"group {i}"</text></outputEntry></rule>'
)
RULE_EXPRESSIONS = (
    '<rule id="r{i}"><inputEntry><text>? &gt;= {low} and ? &lt; {high}</text></inputEntry>'
    '<inputEntry><text>? in ["c{cat}", "other"]</text></inputEntry>'
    '<outputEntry><text>"group {i}"</text></outputEntry></rule>'
)
TAIL = "</decisionTable></decision></definitions>"
DATE_HEAD = (
    '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" '
    'namespace="bench"><decision id="table" name="Table"><decisionTable id="t" '
    'hitPolicy="FIRST"><input id="a"><inputExpression typeRef="date"><text>day</text>'
    '</inputExpression></input><output id="o" name="week" typeRef="string"/>'
)
DATE_RULE = (
    '<rule id="r{i}"><inputEntry><text>[date("{low}")..date("{high}"))</text></inputEntry>'
    '<outputEntry><text>"week {i}"</text></outputEntry></rule>'
)


def date_table(rules: int) -> DecisionModel:
    """A FIRST table of consecutive week-long date ranges (general FEEL tests)."""
    start = date(2026, 1, 5)
    body = "".join(
        DATE_RULE.format(i=i, low=start + timedelta(weeks=i), high=start + timedelta(weeks=i + 1))
        for i in range(rules)
    )
    return DecisionModel(parse_dmn((DATE_HEAD + body + TAIL).encode()))


def table(rules: int, hit: str, variant: str = "literal lists") -> DecisionModel:
    body = "".join(RULE.format(i=i, low=i * 10, high=i * 10 + 10, cat=i % 7) for i in range(rules))
    if variant == "ranges only":
        for cat in range(7):
            body = body.replace(f'"c{cat}", "other"', "-")
    elif variant == "? expressions":
        body = "".join(
            RULE_EXPRESSIONS.format(i=i, low=i * 10, high=i * 10 + 10, cat=i % 7)
            for i in range(rules)
        )
    return DecisionModel(parse_dmn((HEAD.format(hit=hit) + body + TAIL).encode()))


def per_call(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> None:
    for label in ("literal lists", "ranges only", "? expressions"):
        for rules in (100, 1_000):
            for hit in ("FIRST", "COLLECT"):
                model = table(rules, hit, label)
                variables = {"amount": (rules - 1) * 10 + 5, "category": f"c{(rules - 1) % 7}"}
                assert model.evaluate("table", variables).value
                number = 200 if rules == 100 else 20
                us = per_call(lambda m=model, v=variables: m.evaluate("table", v), number)
                print(f"decision table ({label}), {rules} rules, {hit}: {us:,.0f} us")
    dates = date_table(100)
    last_week = {"day": date(2026, 1, 5) + timedelta(weeks=99, days=3)}
    assert dates.evaluate("table", last_week).value == "week 99"
    us = per_call(lambda: dates.evaluate("table", last_week), 200)
    print(f"decision table (date ranges), 100 rules, FIRST: {us:,.0f} us")
    feel = {
        "0.1 + 0.2 = 0.3": {},
        'day of week(date("2026-12-01")) = "Tuesday"': {},
        'day + duration("P30D") > date("2026-12-01")': {"day": date(2026, 11, 15)},
        '@"2026-12-01T10:00:00@Europe/Paris" - @"2026-11-01T09:00:00Z"': {},
        'string(date and time("2026-12-01T10:15:30.123456789+01:00"))': {},
        "sum(for x in items return x * 1.1)": {"items": list(range(20))},
        "count(orders[total > 10])": {"orders": [{"total": t} for t in range(20)]},
    }
    for text, variables in feel.items():
        compiled = compile_feel(text)
        us = per_call(lambda c=compiled, v=variables: c.evaluate(v), 2_000)
        print(f"FEEL {text}: {us:,.1f} us")


if __name__ == "__main__":
    main()
