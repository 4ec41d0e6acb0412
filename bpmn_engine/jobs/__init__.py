"""Service-task jobs: the handler registry, built-in handlers, retry policy, the Celery
doorbell (``dispatch``), the Celery adapters (``tasks``) and the external worker client.
"""
