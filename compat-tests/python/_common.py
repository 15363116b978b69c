"""Helpers for confluent-kafka scenarios. The runner sets BOOTSTRAP, TOPIC, GROUP, SCENARIO_TIMEOUT."""
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

BOOTSTRAP = os.environ["BOOTSTRAP"]
TOPIC = os.environ["TOPIC"]
GROUP = os.environ.get("GROUP", TOPIC + "-group")
# Leave a margin under the runner's timeout so our own, more precise failure wins.
DEADLINE = time.monotonic() + max(10.0, float(os.environ.get("SCENARIO_TIMEOUT", "90")) - 10.0)

COMMON = {"bootstrap.servers": BOOTSTRAP, "socket.timeout.ms": 10000}


def fail(msg):
    """Report a failure on a FAIL: line (the runner puts it on the scoreboard) and stop."""
    print(f"FAIL: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def remaining():
    return DEADLINE - time.monotonic()


_admin = None


def admin():
    """One AdminClient for the scenario (a client that is garbage-collected fails its pending futures)."""
    global _admin
    if _admin is None:
        _admin = AdminClient(dict(COMMON))
    return _admin


def create_topic(name, partitions=3):
    """Create a topic and wait until its metadata shows every partition with a leader."""
    fs = admin().create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)],
                               operation_timeout=15, request_timeout=20)
    try:
        fs[name].result(timeout=max(1, remaining()))
    except KafkaException as e:
        fail(f"create_topics({name}, {partitions}) failed: {e.args[0]}")
    wait_topic(name, partitions)


def wait_topic(name, partitions):
    a = admin()
    while remaining() > 0:
        md = a.list_topics(topic=name, timeout=10)
        t = md.topics.get(name)
        if t is not None and t.error is None and len(t.partitions) == partitions and all(
                p.leader >= 0 for p in t.partitions.values()):
            return md
        time.sleep(0.2)
    fail(f"topic {name} did not get {partitions} partitions with leaders")


def messages(n, tag):
    """n (key, value, headers) tuples; keys cycle over 11 values so they spread over partitions."""
    pad = b"payload-" * 20
    return [(f"k{i % 11}".encode(), f"{tag}-{i:05d}-".encode() + pad, [("i", str(i).encode()), ("tag", tag.encode())])
            for i in range(n)]


def produce_all(msgs, topic=TOPIC, fresh=True, **conf):
    """Produce and flush; every delivery report must succeed. Returns {index: (partition, offset)}.
    Offsets must be consecutive per partition in produce order, from 0 when `fresh` (an empty topic)."""
    client_errors = []  # errors the client reports outside delivery reports (fatal idempotence errors...)
    p = Producer({**COMMON, "linger.ms": 5, "error_cb": lambda e: client_errors.append(e), **conf})
    delivered, errors = {}, []

    def on_delivery(i):
        def cb(err, msg):
            if err is not None:
                errors.append(f"message {i}: {err}")
            else:
                delivered[i] = (msg.partition(), msg.offset())
        return cb

    for i, (k, v, h) in enumerate(msgs):
        while True:
            try:
                p.produce(topic, value=v, key=k, headers=h, on_delivery=on_delivery(i))
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
    try:
        left = p.flush(max(1, remaining()))
    except SystemError:
        # confluent-kafka raises SystemError from error_cb on a fatal error (librdkafka logs a FATAL line,
        # which the runner appends to the reason); flushing again yields the failed delivery reports.
        left = p.flush(max(1, remaining()))
        fail(f"fatal producer error; delivery errors: {errors[:1]}")
    check(not any(x.fatal() for x in client_errors), f"fatal producer error: {[str(x) for x in client_errors if x.fatal()][:1]}")
    check(left == 0, f"{left} messages still undelivered at flush timeout")
    check(not errors, f"{len(errors)} delivery errors, first: {errors[:1]}")
    check(len(delivered) == len(msgs), f"{len(delivered)} delivery reports for {len(msgs)} messages")
    check_offsets(delivered, fresh)
    return delivered


def check_offsets(delivered, fresh=True):
    """Per partition, offsets in order of the message index are consecutive (from 0 when fresh)."""
    by_part = {}
    for i in sorted(delivered):
        p, o = delivered[i]
        by_part.setdefault(p, []).append(o)
    for p, offs in by_part.items():
        first = 0 if fresh else offs[0]
        check(offs == list(range(first, first + len(offs))),
              f"partition {p}: offsets {offs[:10]}... are not {first}..{first + len(offs) - 1} in order")


def consume_n(n, topic=TOPIC, group=GROUP, assign=None, **conf):
    """Read n records; with assign=[partitions] reads without joining a group, else subscribes with `group`."""
    c = Consumer({**COMMON, "group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": False,
                  "session.timeout.ms": 10000, "enable.partition.eof": False, **conf})
    if assign is not None:
        c.assign([TopicPartition(topic, p, 0) for p in assign])
    else:
        c.subscribe([topic])
    got = []
    try:
        while len(got) < n and remaining() > 0:
            m = c.poll(1.0)
            if m is None:
                continue
            if m.error():
                fail(f"consumer error: {m.error()}")
            got.append(m)
        check(len(got) == n, f"consumed {len(got)} of {n} records before the deadline")
        extra = c.poll(1.0)
        check(extra is None or extra.error() is not None, f"unexpected extra record at offset {extra and extra.offset()}")
        if assign is None:
            c.commit(asynchronous=False)
            committed = c.committed([TopicPartition(topic, p) for p in {m.partition() for m in got}], timeout=10)
            for tp in committed:
                last = max(m.offset() for m in got if m.partition() == tp.partition)
                check(tp.error is None, f"committed() error for partition {tp.partition}: {tp.error}")
                check(tp.offset == last + 1, f"committed offset of partition {tp.partition} is {tp.offset}, expected {last + 1}")
    finally:
        c.close()
    return got


def check_roundtrip(msgs, delivered, got):
    """Every message came back once, at the partition/offset its delivery report named, in produced order
    per partition, with key, value and headers intact."""
    check(len(got) == len(msgs), f"got {len(got)} records, produced {len(msgs)}")
    where = {(p, o): i for i, (p, o) in delivered.items()}
    seen = set()
    last_by_part = {}
    for m in got:
        i = where.get((m.partition(), m.offset()))
        check(i is not None, f"record at {m.partition()}/{m.offset()} was not produced there")
        check(i not in seen, f"message {i} consumed twice")
        seen.add(i)
        k, v, h = msgs[i]
        check(m.key() == k, f"message {i}: key {m.key()!r} != {k!r}")
        check(m.value() == v, f"message {i}: value differs ({m.value()[:30]!r}...)")
        check(list(m.headers() or []) == h, f"message {i}: headers {m.headers()} != {h}")
        ts_type, ts = m.timestamp()
        check(ts_type != 0 and ts > 0, f"message {i}: no timestamp ({ts_type}, {ts})")
        prev = last_by_part.get(m.partition(), -1)
        check(i > prev, f"partition {m.partition()}: message {i} after {prev} (out of order)")
        last_by_part[m.partition()] = i
    keys = {}
    for i, (p, _) in delivered.items():
        k = msgs[i][0]
        check(keys.setdefault(k, p) == p, f"key {k!r} went to partitions {keys[k]} and {p}")
