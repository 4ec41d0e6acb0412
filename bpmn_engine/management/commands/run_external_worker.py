"""`manage.py run_external_worker --topic T --handler package.module:function`."""

import importlib
import socket

from django.core.management.base import BaseCommand, CommandError

from bpmn_engine.jobs.external_worker import ExternalWorker


class Command(BaseCommand):
    help = "Fetch and lock external tasks of one topic and work them with a Python function."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--topic", required=True)
        parser.add_argument("--handler", required=True, help="module.path:function")
        parser.add_argument("--worker-id", default=f"{socket.gethostname()}-external")
        parser.add_argument("--max-tasks", type=int, default=10)
        parser.add_argument("--lock-ms", type=int, default=300_000)
        parser.add_argument("--poll-seconds", type=float, default=1.0)
        parser.add_argument("--once", action="store_true", help="work one batch and exit")

    def handle(self, *args, **options) -> None:
        module_name, _, function_name = options["handler"].partition(":")
        try:
            function = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError, ValueError) as exc:
            raise CommandError(f"Expected a handler module.path:function, but {exc}") from exc
        worker = ExternalWorker(
            worker_id=options["worker_id"],
            topic=options["topic"],
            function=function,
            max_tasks=options["max_tasks"],
            lock_duration_ms=options["lock_ms"],
        )
        if options["once"]:
            self.stdout.write(f"handled {worker.run_once()} task(s)")
            return
        self.stdout.write(f"working topic '{options['topic']}' as {options['worker_id']}")
        worker.run_forever(poll_seconds=options["poll_seconds"])
