"""Sandboxed evaluator for BPMN conditions, mappings and scripts.

Three surface syntaxes share one tree and one closure compiler:

* JUEL (Camunda 7): ``${amount > 10}``, ``#{...}``, templates ``Hello ${name}``.
* FEEL (Camunda 8): text starting with ``=``, e.g. ``= amount > 10 and status = "ok"``.
* plain (SpiffWorkflow / generic): Python-like ``counter < 10 and not done``.

Nothing in here uses ``eval``/``exec``/``ast``: a hand-written tokenizer and Pratt parser
build the tree, and only whitelisted functions and methods can be called. Limits: text
length, tree depth, a per-evaluation step budget, result sizes and integer size (see
:mod:`.limits`). Every failure is an :class:`ExpressionError`.

Measured speed (CPython 3.11.7, shared 2-vCPU dev VM, best of 5 x 100k calls, warm compile
cache, variables in a plain dict unless noted; reproduce with ``bench/bench_expressions.py``):

=======================================================  ===========
call                                                     per call
=======================================================  ===========
``Expression.evaluate``: ``counter < 10``                ~0.35 us
same, variables in a ``ChainMap``                        ~0.9 us
``evaluate("counter < 10", vars)`` (cache lookup)        ~0.55 us
``evaluate("${amount > 100 && approved}")``              ~0.8 us
``evaluate('= amount > 100 and status = "ok"')``         ~1.0 us
``evaluate("Hello ${name}, you owe ${amount}")``         ~1.4 us
``evaluate("= count(orders[total > 10])")``, 20 items    ~11 us
``Script.run``: ``counter = counter + 1``                ~0.7-0.9 us
``run_script("counter = counter + 1", vars)``            ~0.9 us
uncached compile of ``amount > 100 and status == 'ok'``  ~30 us
=======================================================  ===========

Semantic choices (coercions, null handling, division by zero, copy-on-write scripts) are
documented in :mod:`.values`, :mod:`.dialects`, :mod:`.compiler` and :mod:`.script`.
"""

from .api import Expression, compile_expression, evaluate, is_expression
from .errors import ExpressionError, ExpressionSyntaxError
from .script import Script, compile_script, run_script

__all__ = [
    "Expression",
    "ExpressionError",
    "ExpressionSyntaxError",
    "Script",
    "compile_expression",
    "compile_script",
    "evaluate",
    "is_expression",
    "run_script",
]
