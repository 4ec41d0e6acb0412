"""Micro-benchmark of the expression evaluator (run: python bench/bench_expressions.py)."""

from __future__ import annotations

import timeit
from collections import ChainMap

from bpmn_engine.expressions import compile_expression, compile_script, evaluate, run_script
from bpmn_engine.expressions.api import _compile

VARS = {
    "counter": 3,
    "amount": 150,
    "approved": True,
    "status": "ok",
    "name": "Ann",
    "orders": [{"total": t} for t in range(20)],
}
SCOPE = ChainMap({"counter": 3}, VARS)
COUNTER_LT = compile_expression("counter < 10")
INCREMENT = compile_script("counter = counter + 1")

CASES = {
    "Expression.evaluate: counter < 10": lambda: COUNTER_LT.evaluate(VARS),
    "Expression.evaluate on ChainMap: counter < 10": lambda: COUNTER_LT.evaluate(SCOPE),
    "evaluate('counter < 10')": lambda: evaluate("counter < 10", VARS),
    "evaluate('${amount > 100 && approved}')": lambda: evaluate(
        "${amount > 100 && approved}", VARS
    ),
    "evaluate('= amount > 100 and status = \"ok\"')": lambda: evaluate(
        '= amount > 100 and status = "ok"', VARS
    ),
    "evaluate('Hello ${name}, you owe ${amount}')": lambda: evaluate(
        "Hello ${name}, you owe ${amount}", VARS
    ),
    "evaluate('= count(orders[total > 10])') (20 items)": lambda: evaluate(
        "= count(orders[total > 10])", VARS
    ),
    "Script.run: counter = counter + 1": lambda: INCREMENT.run(VARS),
    "run_script('counter = counter + 1')": lambda: run_script("counter = counter + 1", VARS),
}


def measure(fn, number: int = 100_000) -> float:
    """Best-of-5 microseconds per call."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> None:
    for label, fn in CASES.items():
        print(f"{measure(fn):8.2f} us  {label}")

    text = "amount > 100 and status == 'ok'"
    cost = measure(lambda: _compile.__wrapped__(text, None), 10_000)
    print(f"{cost:8.2f} us  compile (uncached): {text}")


if __name__ == "__main__":
    main()
