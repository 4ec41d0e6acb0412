"""Real Celery worker processes run jobs durably: crashes, duplicates and broker outages
neither lose nor duplicate a step."""

from __future__ import annotations

import os
import re
import signal
import threading
import time

import pytest

from bpmn_engine.jobs.dispatch import held_doorbells, publish_run_job, publish_run_jobs
from bpmn_engine.models import Job, ProcessInstance
from bpmn_engine.services import start_instance
from tests.jobs.conftest import deploy_service_process
from tests.jobs.handlers import attempts_of

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout: float = 60, every: float = 0.2, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    log = worker.read_log()[-6000:] if worker else ""
    jobs = list(Job.objects.values("pk", "state", "attempts", "retries", "last_error"))
    raise AssertionError(f"condition not met within {timeout}s; jobs={jobs}\n{log}")


def run_job_outcomes(worker) -> list[str]:
    """What each ``run_job`` delivery returned, from the worker's log."""
    return re.findall(
        r"procession\.run_job\[[^\]]+\] succeeded in [^:]+: '(\w[\w-]*)'", worker.read_log()
    )


def completed(*instances: ProcessInstance) -> bool:
    ids = [i.pk for i in instances]
    return ProcessInstance.objects.filter(pk__in=ids, status="completed").count() == len(ids)


def test_a_worker_runs_both_service_tasks_to_the_end(engine_worker, journal):
    worker = engine_worker()
    deploy_service_process("doubling", "test-double", "test-increment")
    instances = [
        start_instance(definition_key="doubling", variables={"amount": n}) for n in range(5)
    ]
    wait_for(lambda: completed(*instances), worker=worker)
    for n, instance in enumerate(instances):
        assert instance.variable_rows.get(name="amount").value == 2 * n
    assert len(attempts_of(journal, "test-double")) == 5


def test_a_worker_killed_mid_handler_is_recovered_and_nothing_is_duplicated(engine_worker, journal):
    worker = engine_worker()
    deploy_service_process("slow", "test-slow-once", "test-increment")
    instance = start_instance(definition_key="slow")
    [[_, _, pid]] = wait_for(lambda: attempts_of(journal, "test-slow-once"), worker=worker)
    assert int(pid) in worker.pool_children()
    os.kill(int(pid), signal.SIGKILL)  # the pool process running the handler, nothing else
    wait_for(lambda: completed(instance), timeout=90, worker=worker)
    attempts = attempts_of(journal, "test-slow-once")
    assert len(attempts) == 2
    assert attempts[0][1] == attempts[1][1]  # the same idempotency key both times
    assert attempts[0][2] != attempts[1][2]  # run by a new pool process
    assert len(attempts_of(journal, "test-increment")) == 1
    assert instance.variable_rows.get(name="steps").value == 1
    assert instance.variable_rows.get(name="finished_attempt").value == 2
    assert instance.activity_history.filter(node_id="S1").count() == 1


def test_a_message_delivered_twice_advances_the_instance_once(engine_worker, journal):
    worker = engine_worker()
    deploy_service_process("doubling", "test-double")
    instance = start_instance(definition_key="doubling", variables={"amount": 4})
    job = Job.objects.get(instance=instance)
    publish_run_job(job.pk, job.job_type)
    publish_run_job(job.pk, job.job_type)
    wait_for(lambda: completed(instance))
    # Wait for the event itself: the worker reports all three deliveries, two found nothing.
    wait_for(lambda: run_job_outcomes(worker).count("skipped") >= 2, worker=worker)
    assert run_job_outcomes(worker).count("completed") == 1
    assert len(attempts_of(journal, "test-double")) == 1
    assert instance.variable_rows.get(name="amount").value == 8
    assert instance.activity_history.filter(node_id="S0").count() == 1


def test_jobs_committed_while_the_broker_is_down_run_once_it_is_back(
    proxied_broker, engine_worker, journal
):
    engine_worker()
    deploy_service_process("doubling", "test-double")
    proxied_broker.stop()
    instances = [
        start_instance(definition_key="doubling", variables={"amount": n}) for n in range(3)
    ]
    assert Job.objects.filter(state="pending").count() == 3
    proxied_broker.start()
    wait_for(lambda: completed(*instances), timeout=90)
    assert len(attempts_of(journal, "test-double")) == 3


def test_a_command_returns_while_the_broker_holds_its_publish_and_the_job_runs_later(
    proxied_broker, engine_worker, journal
):
    engine_worker()
    deploy_service_process("doubling", "test-double")
    proxied_broker.stop()
    proxied_broker.black_hole = True  # connections are accepted, never answered
    proxied_broker.start()
    finished = threading.Event()
    started: list[ProcessInstance] = []

    def command() -> None:  # three commands: the first finds the old connection cut
        for amount in (1, 2, 3):
            started.append(start_instance(definition_key="doubling", variables={"amount": amount}))
        finished.set()

    threading.Thread(target=command, daemon=True).start()
    # The command returns while its publish is still held by the broker (the publishing
    # client has not given up on it yet): it did not wait for the broker.
    assert finished.wait(60)
    assert not proxied_broker.gave_up.is_set(), "the command waited for the broker"
    assert proxied_broker.held.wait(60)
    assert Job.objects.filter(instance__in=started, state="pending").count() == 3
    proxied_broker.stop()
    proxied_broker.black_hole = False
    proxied_broker.start()
    wait_for(lambda: completed(*started), timeout=90)
    assert [i.variable_rows.get(name="amount").value for i in started] == [2, 4, 6]


def test_a_handler_ignoring_its_soft_limit_is_killed_before_its_lease_ends_and_never_overlaps(
    engine_worker, journal
):
    # Two pool processes: a second attempt could run beside the first if the lease allowed.
    worker = engine_worker(concurrency=2)
    deploy_service_process("stubborn", "test-stubborn")
    instance = start_instance(definition_key="stubborn")
    wait_for(lambda: completed(instance), timeout=90, worker=worker)
    notes = [line[3:] for line in attempts_of(journal, "test-stubborn")]
    assert ["ignored-soft-limit"] in notes  # the first attempt outlived its soft limit
    assert ["overlap"] not in notes  # and was gone before a second one started
    assert instance.variable_rows.get(name="stubborn_attempt").value == 2


def test_a_handler_over_its_time_limit_fails_and_is_retried(engine_worker, journal):
    worker = engine_worker()
    deploy_service_process("sleepy", "test-sleepy")
    instance = start_instance(definition_key="sleepy")
    wait_for(lambda: completed(instance), timeout=60, worker=worker)
    assert len(attempts_of(journal, "test-sleepy")) == 2
    assert "TimeLimitExceeded" in Job.objects.get(instance=instance).last_error
    assert instance.variable_rows.get(name="woke_on_attempt").value == 2


def run_job_deliveries(worker) -> list[str]:
    """What each ``run_job`` delivery returned, chains (``a,b``) included."""
    return re.findall(
        r"procession\.run_job\[[^\]]+\] succeeded in [^:]+: '([\w,-]*)'", worker.read_log()
    )


def test_a_worker_runs_an_instances_next_job_in_the_same_message(engine_worker, journal):
    worker = engine_worker()
    deploy_service_process("doubling", "test-double", "test-increment")
    instance = start_instance(definition_key="doubling", variables={"amount": 5})
    wait_for(lambda: completed(instance), worker=worker)
    wait_for(lambda: run_job_deliveries(worker), worker=worker)
    assert run_job_deliveries(worker) == ["completed,completed"]
    [[_, _, first_pid]] = attempts_of(journal, "test-double")
    [[_, _, second_pid]] = attempts_of(journal, "test-increment")
    assert first_pid == second_pid
    assert instance.variable_rows.get(name="amount").value == 10
    assert instance.variable_rows.get(name="steps").value == 1


def test_a_chained_job_over_its_own_soft_limit_fails_and_is_retried(engine_worker, journal):
    worker = engine_worker()
    deploy_service_process("sleepy_second", "test-double", "test-sleepy")
    instance = start_instance(definition_key="sleepy_second", variables={"amount": 1})
    wait_for(lambda: completed(instance), timeout=90, worker=worker)
    attempts = attempts_of(journal, "test-sleepy")
    assert len(attempts) == 2
    assert attempts[0][2] == attempts_of(journal, "test-double")[0][2]  # chained
    # stopped by its own one-second limit, not by the message's (the first job's) limits
    job = Job.objects.get(instance=instance, node_id="S1")
    assert "the job's soft time limit" in job.last_error
    assert instance.variable_rows.get(name="woke_on_attempt").value == 2


def test_a_chained_handler_ignoring_its_soft_limit_is_killed_and_never_overlaps(
    engine_worker, journal
):
    worker = engine_worker(concurrency=2)
    deploy_service_process("stubborn_second", "test-double", "test-stubborn")
    instance = start_instance(definition_key="stubborn_second", variables={"amount": 1})
    wait_for(lambda: completed(instance), timeout=120, worker=worker)
    stubborn = attempts_of(journal, "test-stubborn")
    assert stubborn[0][2] == attempts_of(journal, "test-double")[0][2]  # chained
    notes = [line[3:] for line in stubborn]
    assert ["ignored-soft-limit"] in notes  # the first attempt outlived its soft limit
    assert ["overlap"] not in notes  # and was gone before a second one started
    assert instance.variable_rows.get(name="stubborn_attempt").value == 2


def test_a_worker_killed_in_a_chained_job_is_recovered_and_nothing_is_duplicated(
    engine_worker, journal
):
    worker = engine_worker()
    deploy_service_process("slow_second", "test-double", "test-slow-once", "test-increment")
    instance = start_instance(definition_key="slow_second", variables={"amount": 3})
    [[_, _, pid]] = wait_for(lambda: attempts_of(journal, "test-slow-once"), worker=worker)
    assert pid == attempts_of(journal, "test-double")[0][2]  # chained after the first job
    os.kill(int(pid), signal.SIGKILL)
    wait_for(lambda: completed(instance), timeout=90, worker=worker)
    attempts = attempts_of(journal, "test-slow-once")
    assert len(attempts) == 2
    assert attempts[0][1] == attempts[1][1]  # the same idempotency key both times
    assert len(attempts_of(journal, "test-double")) == 1
    assert len(attempts_of(journal, "test-increment")) == 1
    assert instance.variable_rows.get(name="amount").value == 6
    assert instance.variable_rows.get(name="steps").value == 1
    assert instance.variable_rows.get(name="finished_attempt").value == 2
    assert instance.activity_history.filter(node_id="S1").count() == 1


def run_jobs_deliveries(worker) -> list[str]:
    """What each ``run_jobs`` (several job ids) delivery returned."""
    return re.findall(
        r"procession\.run_jobs\[[^\]]+\] succeeded in [^:]+: '([\w,-]*)'", worker.read_log()
    )


def started_with_one_message(key: str, count: int, **variables) -> list[ProcessInstance]:
    """``count`` instances whose first jobs go out together in one ``run_jobs`` message."""
    with held_doorbells() as held:
        instances = [start_instance(definition_key=key, variables=variables) for _ in range(count)]
    assert len(held) == count
    assert publish_run_jobs(held)
    return instances


def test_a_worker_runs_the_jobs_of_one_message_and_their_next_jobs_to_the_end(
    engine_worker, journal
):
    worker = engine_worker()
    deploy_service_process("doubling", "test-double", "test-increment")
    instances = started_with_one_message("doubling", 3, amount=5)
    wait_for(lambda: completed(*instances), worker=worker)
    wait_for(lambda: run_jobs_deliveries(worker), worker=worker)
    assert run_jobs_deliveries(worker) == [",".join(["completed"] * 6)]
    for instance in instances:
        assert instance.variable_rows.get(name="amount").value == 10
        assert instance.variable_rows.get(name="steps").value == 1
    pids = {pid for _, _, pid in attempts_of(journal, "test-double")}
    assert pids == {pid for _, _, pid in attempts_of(journal, "test-increment")}
    assert len(pids) == 1  # one pool process ran them all


def test_a_worker_killed_mid_batch_loses_nothing_and_runs_each_step_once(engine_worker, journal):
    worker = engine_worker(PROCESSION_JOB_CHAIN_SECONDS="1")  # this process publishes with it too
    deploy_service_process("slow", "test-slow-once", "test-increment")
    instances = started_with_one_message("slow", 2)
    [[_, _, pid]] = wait_for(lambda: attempts_of(journal, "test-slow-once"), worker=worker)
    os.kill(int(pid), signal.SIGKILL)  # mid batch: the first handler hangs, the second waits
    wait_for(lambda: completed(*instances), timeout=120, worker=worker)
    keys = [key for _, key, _ in attempts_of(journal, "test-slow-once")]
    assert sorted(keys.count(key) for key in set(keys)) == [1, 2]  # the killed one ran again
    assert len(attempts_of(journal, "test-increment")) == 2
    for instance in instances:
        assert instance.variable_rows.get(name="steps").value == 1
        assert instance.activity_history.filter(node_id="S0").count() == 1
        assert instance.activity_history.filter(node_id="S1").count() == 1
