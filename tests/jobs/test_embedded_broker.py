"""The embedded broker (``embedded://``) under a writer and a reader at the same time:
every message arrives whole and once, the exchange table too."""

from __future__ import annotations

import threading
from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection

from bpmn_engine.jobs.embedded_broker import Channel, register

MESSAGES = 300
PAYLOAD = "x" * 65536  # large enough that a write is not over before a reader looks


def options(folder: Path) -> dict:
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "processed_folder": str(folder / "processed"),
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    register()
    for name in ("queue", "control", "processed"):
        (tmp_path / name).mkdir()
    return tmp_path


def test_a_reader_beside_a_writer_gets_every_message_whole_and_once(folder):
    written = threading.Event()
    received: list[int] = []
    errors: list[str] = []

    reading = threading.Event()

    def write() -> None:  # a producer only: no consumer of its own on this connection
        reading.wait(60)
        with Connection("embedded://", transport_options=options(folder)) as connection:
            producer = connection.Producer()
            for number in range(MESSAGES):
                producer.publish({"n": number, "pad": PAYLOAD}, routing_key="bench")
        written.set()

    def read() -> None:
        with Connection("embedded://", transport_options=options(folder)) as connection:
            queue = connection.SimpleQueue("bench")
            reading.set()
            while len(received) < MESSAGES:
                try:
                    message = queue.get(timeout=10)
                except Empty:
                    if written.is_set():
                        return  # nothing more within 10 s of the last message: lost
                    continue
                except Exception as exc:  # a torn read: what stops a Celery worker
                    errors.append(repr(exc))
                    continue
                received.append(message.payload["n"])
                message.ack()

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(received) == list(range(MESSAGES))


def test_an_unreadable_message_file_is_set_aside_instead_of_stopping_the_consumer(folder):
    (folder / "queue" / "00000000000000000001_bad.jobs.msg").write_bytes(b'{"half": ')
    with Connection("embedded://", transport_options=options(folder)) as connection:
        queue = connection.SimpleQueue("jobs")
        queue.put({"n": 1})
        assert queue.get(block=False).payload == {"n": 1}
    assert [p.name for p in (folder / "rejected").iterdir()] == [
        "00000000000000000001_bad.jobs.msg"
    ]


def test_bindings_written_concurrently_are_all_kept(folder):
    with Connection("embedded://", transport_options=options(folder)) as connection:
        channel = connection.channel()
        assert isinstance(channel, Channel)
        threads = [
            threading.Thread(target=channel._queue_bind, args=("fan", "", "", f"q{n}"))
            for n in range(20)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(row.queue for row in channel.get_table("fan")) == sorted(
            f"q{n}" for n in range(20)
        )
