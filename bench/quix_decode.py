"""The quixstreams anchor of ``bench/worker_throughput.py``: a quixstreams app that only decodes.

Runs in ``.venv-bench`` (``make bench-venv``), not in Douane's venv: it reads ``--events`` records of
``douane.ai-calls`` from the earliest offset with ``json.loads`` and prints one line,
``<records> <seconds from the first record to the last>``.
    .venv-bench/bin/python bench/quix_decode.py --bootstrap 127.0.0.1:9092 --events 50000
"""

from __future__ import annotations

import argparse
import json
import time
import uuid

from quixstreams import Application


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--events", type=int, required=True)
    args = parser.parse_args()
    app = Application(broker_address=args.bootstrap, consumer_group=f"bench-quix-{uuid.uuid4().hex[:8]}",
                      auto_offset_reset="earliest", auto_create_topics=False, loglevel="WARNING")
    topic = app.topic("douane.ai-calls", value_deserializer="bytes", key_deserializer="bytes")
    seen = {"n": 0, "first": 0.0}

    def count(value: bytes) -> None:
        json.loads(value)
        if seen["n"] == 0:
            seen["first"] = time.perf_counter()
        seen["n"] += 1
        if seen["n"] >= args.events:
            print(f"{seen['n']} {time.perf_counter() - seen['first']:.3f}", flush=True)
            app.stop()

    app.dataframe(topic).update(count)
    app.run()


if __name__ == "__main__":
    main()
