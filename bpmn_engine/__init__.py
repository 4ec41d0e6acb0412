"""Procession's BPMN engine.

Pure core (no Django): ``bpmn`` (model, parser, validation), ``expressions`` (sandboxed
evaluator), ``runtime`` (token semantics). Around it, the Django ring: ``models``, ``store``,
``services``, ``selectors``, ``history``; and the Celery adapters in ``tasks``.
"""
