"""Integrity of the embedded broker under concurrent producers and consumers.

Producer processes publish numbered messages (``--size`` bytes of payload each) to one
queue while consumer processes drain it, for kombu's stock ``filesystem://`` transport and
for Procession's ``embedded://``. Counted per transport: messages received, lost,
duplicated, and reads that failed (the stock transport raises ``JSONDecodeError`` when it
claims a file its writer has not finished; in a Celery worker that is an unrecoverable
error).

    .venv/bin/python bench/bench_embedded_broker.py [--messages 2000] [--size 65536]

Writes ``bench/results/embedded_broker.json``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kombu import Connection  # noqa: E402

from bpmn_engine.jobs.embedded_broker import register  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def options(folder: Path) -> dict:
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }


def produce(url: str, folder: Path, first: int, count: int, size: int) -> None:
    register()
    with Connection(url, transport_options=options(folder)) as connection:
        queue = connection.SimpleQueue("bench")
        for number in range(first, first + count):
            queue.put({"n": number, "pad": "x" * size})


def consume(url: str, folder: Path, done, results) -> None:
    register()
    received: list[int] = []
    errors: list[str] = []
    try:
        with Connection(url, transport_options=options(folder)) as connection:
            queue = connection.SimpleQueue("bench")
            while True:
                try:
                    message = queue.get(block=False)
                except Empty:
                    if done.is_set():
                        break
                    time.sleep(0.001)
                    continue
                except Exception as exc:  # what a worker would die of
                    errors.append(f"{type(exc).__name__}: {exc}"[:120])
                    continue
                received.append(message.payload["n"])
                message.ack()
    except Exception as exc:
        errors.append(f"consumer stopped: {type(exc).__name__}: {exc}"[:120])
    finally:
        results.put((received, errors))


def run(url: str, messages: int, size: int, producers: int, consumers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("queue", "control", "processed"):
            (folder / name).mkdir()
        context = multiprocessing.get_context("spawn")
        done, results = context.Event(), context.Queue()
        readers = [
            context.Process(target=consume, args=(url, folder, done, results))
            for _ in range(consumers)
        ]
        share = messages // producers
        writers = [
            context.Process(target=produce, args=(url, folder, i * share, share, size))
            for i in range(producers)
        ]
        started = time.monotonic()
        for process in readers + writers:
            process.start()
        for process in writers:
            process.join()
        done.set()
        collected = [results.get(timeout=120) for _ in readers]
        for process in readers:
            process.join()
        elapsed = time.monotonic() - started
    received = [n for numbers, _ in collected for n in numbers]
    errors = [e for _, found in collected for e in found]
    sent = share * producers
    return {
        "transport": url,
        "sent": sent,
        "received": len(received),
        "lost": len(set(range(sent)) - set(received)),
        "duplicated": len(received) - len(set(received)),
        "read_errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--size", type=int, default=65536)
    parser.add_argument("--producers", type=int, default=2)
    parser.add_argument("--consumers", type=int, default=2)
    args = parser.parse_args()
    report = [
        run(url, args.messages, args.size, args.producers, args.consumers)
        for url in ("filesystem://", "embedded://")
    ]
    for row in report:
        print(json.dumps(row))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "embedded_broker.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
