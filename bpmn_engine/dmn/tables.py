"""Decision tables: rule matching and every hit policy (DMN 1.5, 8.2.11)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bpmn_engine.expressions.feel import CTX, Env, compile_feel, compile_tests
from bpmn_engine.expressions.feel.values import compare, equal

from .errors import DecisionError
from .matching import build_index, compile_check
from .model import DecisionTable
from .trace import TableTrace, record
from .typing_rules import TypeRegistry

Fn = Callable[[Env], Any]


def _list_values(text: str | None, names: tuple[str, ...]) -> list[Any] | None:
    if not text or not text.strip():
        return None
    value = compile_feel("[" + text + "]", names).evaluate({})
    return value if type(value) is list else None


def compile_table(table: DecisionTable, names: tuple[str, ...], types: TypeRegistry) -> Fn:
    """A closure evaluating ``table`` in an environment."""
    inputs = [compile_feel(i.text or "null", names) for i in table.inputs]
    input_types = [i.type_ref for i in table.inputs]
    allowed_inputs = [
        None if not i.values else compile_tests(i.values, names) for i in table.inputs
    ]
    checks = [
        tuple(
            (column, check)
            for column, text in enumerate(rule.inputs)
            if (check := compile_check(text, names)) is not None
        )
        for rule in table.rules
    ]
    index = build_index([rule.inputs for rule in table.rules], names)
    every_rule = tuple(range(len(table.rules)))
    outputs = [
        [compile_feel(text or "null", names) for text in rule.outputs] for rule in table.rules
    ]
    columns = table.outputs
    single = len(columns) == 1
    keys = [c.name or table.output_label or "" for c in columns]
    priorities = [_list_values(c.values, names) for c in columns]
    allowed_outputs = [None if not c.values else compile_tests(c.values, names) for c in columns]
    defaults = [None if c.default is None else compile_feel(c.default, names) for c in columns]
    hit = table.hit_policy
    aggregation = table.aggregation

    def result_of(row: list[Any]) -> Any:
        return row[0] if single else dict(zip(keys, row, strict=True))

    def run(env: Env) -> Any:
        trace = TableTrace(table.id)
        values = []
        for fn, type_ref, allowed in zip(inputs, input_types, allowed_inputs, strict=True):
            value = types.coerce(fn.run(env), type_ref) if type_ref else fn.run(env)
            if (
                allowed is not None
                and value is not None
                and allowed.matches(value, env) is not True
            ):
                raise DecisionError(
                    f"input value {value!r} is not among the allowed values", table.id
                )
            values.append(value)
        trace.inputs = values
        rows: list[list[Any]] = []
        charge = env.budget.charge
        candidates = every_rule if index is None else index.candidates(values[index.column])
        for position in candidates:
            charge(1)
            for col, check in checks[position]:
                if not check(values[col], env):
                    break
            else:
                row = [o.run(env) for o in outputs[position]]
                for value, allowed, column in zip(row, allowed_outputs, columns, strict=True):
                    if (
                        allowed is not None
                        and value is not None
                        and allowed.matches(value, env) is not True
                    ):
                        raise DecisionError(
                            f"output {value!r} of {column.name or 'the table'} is not allowed",
                            table.id,
                        )
                trace.matched.append(position + 1)
                trace.matched_ids.append(table.rules[position].id)
                rows.append(row)
                if hit == "FIRST":
                    break
        trace.outputs = [result_of(r) for r in rows]
        record(trace)
        if not rows:
            if any(d is not None for d in defaults):
                row = [None if d is None else d.run(env) for d in defaults]
                return result_of(row)
            return (
                None if hit not in ("COLLECT", "RULE ORDER", "OUTPUT ORDER") or aggregation else []
            )
        return _apply(hit, aggregation, rows, priorities, result_of, table.id)

    return run


def _priority(row: list[Any], priorities: list[list[Any] | None]) -> tuple[int, ...]:
    key = []
    for value, order in zip(row, priorities, strict=True):
        if order is None:
            continue
        position = next((i for i, v in enumerate(order) if equal(v, value) is True), len(order))
        key.append(position)
    return tuple(key)


def _apply(
    hit: str,
    aggregation: str | None,
    rows: list[list[Any]],
    priorities: list[list[Any] | None],
    result_of: Callable[[list[Any]], Any],
    table_id: str | None,
) -> Any:
    if hit == "UNIQUE":
        if len(rows) > 1:
            raise DecisionError(f"hit policy UNIQUE, but {len(rows)} rules matched", table_id)
        return result_of(rows[0])
    if hit == "ANY":
        first = result_of(rows[0])
        if any(equal(result_of(r), first) is not True for r in rows[1:]):
            raise DecisionError("hit policy ANY, but the matched rules disagree", table_id)
        return first
    if hit == "FIRST":
        return result_of(rows[0])
    if hit == "PRIORITY":
        return result_of(min(rows, key=lambda r: _priority(r, priorities)))
    if hit == "OUTPUT ORDER":
        rows = sorted(rows, key=lambda r: _priority(r, priorities))
    results = [result_of(r) for r in rows]
    if hit != "COLLECT" or not aggregation:
        return results
    return aggregate(aggregation, results, table_id)


def aggregate(aggregation: str, results: list[Any], table_id: str | None) -> Any:
    values = [r for r in results if r is not None]
    if aggregation == "COUNT":
        return Decimal(len(values))
    if not values:
        return None
    if aggregation == "SUM":
        if any(type(v) is not Decimal for v in values):
            raise DecisionError("hit policy COLLECT SUM needs numbers", table_id)
        total = Decimal(0)
        for v in values:
            total = CTX.add(total, v)
        return total
    best = values[0]
    for v in values[1:]:
        order = compare(v, best)
        if order is None:
            raise DecisionError(
                f"hit policy COLLECT {aggregation}: values not comparable", table_id
            )
        if (order < 0) == (aggregation == "MIN") and order != 0:
            best = v
    return best
