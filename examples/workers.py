"""An external worker handler, run by the README's example:

    .venv/bin/python manage.py deploy_bpmn examples/shipping.bpmn
    .venv/bin/python manage.py run_external_worker --topic ship --handler examples.workers:ship

A handler gets a ``JobContext`` (variables, headers, idempotency key) and returns the
variables to set; ``BpmnError`` is a business outcome for an error boundary, any other
exception a failure that is retried and then becomes an incident.
"""

from __future__ import annotations

from bpmn_engine.jobs.handlers import BpmnError, JobContext


def ship(job: JobContext) -> dict[str, str]:
    """Book a parcel for the order; no address is a business error, not a failure."""
    address = job.variables.get("address")
    if not address:
        raise BpmnError("NO_ADDRESS", "the order has no delivery address")
    # A real worker calls the carrier here, passing job.idempotency_key so that a
    # repeated delivery of the same task books the parcel only once.
    return {"trackingNumber": f"TRK-{job.variables.get('orderId', job.instance_id)}"}
