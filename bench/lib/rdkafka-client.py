"""librdkafka throughput through confluent-kafka (Python), run as a child process by bench/run.mjs.

No rdkafka_performance binary is packaged on this machine (Debian ships librdkafka without its examples),
so this is the fallback the issue names: a tight produce()/poll() loop and a consume() loop.

  python rdkafka-client.py produce '{"bootstrap": "127.0.0.1:9092", "topic": "t", "count": 100000, "size": 1024, "acks": 1}'
  python rdkafka-client.py consume '{"bootstrap": "127.0.0.1:9092", "topic": "t", "count": 100000, "group": "g"}'
Prints one JSON line.
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer


def produce(a):
    p = Producer({
        "bootstrap.servers": a["bootstrap"],
        "acks": str(a.get("acks", 1)),
        "linger.ms": 5,
        "batch.size": 1 << 20,
        "queue.buffering.max.messages": 1000000,
        "queue.buffering.max.kbytes": 1 << 20,
        "enable.idempotence": False,
    })
    value = b"a" * a["size"]
    errors = []

    def cb(err, _msg):
        if err is not None:
            errors.append(err)

    t0 = time.perf_counter()
    n = 0
    while n < a["count"]:
        try:
            p.produce(a["topic"], value, on_delivery=cb)
            n += 1
        except BufferError:
            p.poll(0.001)
            continue
        if n % 1000 == 0:
            p.poll(0)
    left = p.flush(120)
    s = time.perf_counter() - t0
    if left or errors:
        raise SystemExit(f"FAIL: {left} undelivered, {len(errors)} errors, first: {errors[:1]}")
    return {"records": n, "seconds": s, "recordsPerSec": n / s, "mibPerSec": n * a["size"] / s / 1048576}


def consume(a):
    c = Consumer({
        "bootstrap.servers": a["bootstrap"],
        "group.id": a["group"],
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "fetch.max.bytes": 64 << 20,
        "max.partition.fetch.bytes": 16 << 20,
        # librdkafka stops fetching a partition for fetch.queue.backoff.ms (default 1 s) whenever its local
        # queue is over queued.max.messages.kbytes when the next fetch is decided. A 256 MiB catch-up takes
        # about half a second, so one such pause (or none) decided the figure, for either broker.
        "fetch.queue.backoff.ms": 10,
    })
    assigned = []

    def on_assign(_c, parts):
        if not assigned:
            assigned.append(time.perf_counter())

    t0 = time.perf_counter()
    c.subscribe([a["topic"]], on_assign=on_assign)
    first = None
    n = 0
    nbytes = 0
    deadline = t0 + a.get("timeoutMs", 300000) / 1000
    while n < a["count"]:
        if time.perf_counter() > deadline:
            raise SystemExit(f"FAIL: consumed {n} of {a['count']} before the deadline")
        # Never ask for more than remain: consume() waits out its timeout until num_messages arrive, and
        # the last call used to add that second to the measured time.
        msgs = c.consume(num_messages=min(10000, a["count"] - n), timeout=1.0)
        for m in msgs:
            if m.error():
                continue
            if first is None:
                first = time.perf_counter()
            n += 1
            nbytes += len(m.value() or b"")
    end = time.perf_counter()
    c.close()
    start = assigned[0] if assigned else first  # from the assignment (group joined) to the last record
    s = end - start
    return {"records": n, "seconds": s, "joinMs": (start - t0) * 1000, "recordsPerSec": n / s, "mibPerSec": nbytes / s / 1048576}


if __name__ == "__main__":
    mode, args = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps({"produce": produce, "consume": consume}[mode](args)), flush=True)
