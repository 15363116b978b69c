"""A group of three confluent-kafka consumers on a six-partition topic, for one assignment strategy.
Checks: the three settle on disjoint assignments covering every partition; every message produced is
consumed exactly once while the group is stable; committed offsets equal the log end; after one member
leaves the other two own all six partitions and consume what comes next."""
from _common import *

PARTITIONS = 6


def assigned(c):
    return sorted(tp.partition for tp in c.assignment())


def poll_all(consumers, got, want, what):
    """Poll every consumer round-robin until `want` records arrived (or the deadline)."""
    while sum(map(len, got.values())) < want and remaining() > 0:
        for n, c in enumerate(consumers):
            m = c.poll(0.1)
            if m is not None:
                check(m.error() is None, f"{what}: consumer {n}: {m.error()}")
                got.setdefault(n, []).append(m)
    total = sum(map(len, got.values()))
    check(total == want, f"{what}: consumed {total} of {want}")


def settle(consumers, what):
    """Poll until every consumer has partitions and together they own each partition exactly once."""
    while remaining() > 0:
        for c in consumers:
            m = c.poll(0.1)
            check(m is None or m.error() is not None, f"{what}: read a record before the test produced any")
        parts = [assigned(c) for c in consumers]
        if all(parts) and sorted(sum(parts, [])) == list(range(PARTITIONS)):
            return parts
    fail(f"{what}: assignments never covered 0..{PARTITIONS - 1} exactly once: {[assigned(c) for c in consumers]}")


def run(strategy):
    create_topic(TOPIC, PARTITIONS)
    conf = {**COMMON, "group.id": GROUP, "auto.offset.reset": "earliest", "enable.auto.commit": False,
            "session.timeout.ms": 10000, "heartbeat.interval.ms": 500, "partition.assignment.strategy": strategy}
    cs = [Consumer(conf) for _ in range(3)]
    for c in cs:
        c.subscribe([TOPIC])
    parts = settle(cs, "three members")
    check(all(len(p) == 2 for p in parts), f"{strategy}: six partitions over three members should be 2 + 2 + 2, got {parts}")

    msgs = messages(300, "three")
    delivered = produce_all(msgs)
    got = {}
    poll_all(cs, got, len(msgs), "three members")
    for n, c in enumerate(cs):
        outside = {m.partition() for m in got.get(n, [])} - set(parts[n])
        check(not outside, f"consumer {n} read partitions {sorted(outside)} outside its assignment {parts[n]}")
    check_roundtrip(msgs, delivered, sorted(sum(got.values(), []), key=lambda m: (m.partition(), m.offset())))
    for c in cs:
        c.commit(asynchronous=False)
    ends = {p: off + 1 for (p, off) in delivered.values()}
    committed = cs[0].committed([TopicPartition(TOPIC, p) for p in range(PARTITIONS)], timeout=10)
    for tp in committed:
        check(tp.offset == ends.get(tp.partition, 0), f"partition {tp.partition}: committed {tp.offset}, log end {ends.get(tp.partition, 0)}")

    # One member leaves: the other two take over its partitions.
    cs.pop().close()
    parts = settle(cs, "two members after a leave")
    more = messages(60, "after-leave")
    produce_all(more, fresh=False)
    got = {}
    poll_all(cs, got, len(more), "two members")
    values = sorted(m.value() for m in sum(got.values(), []))
    check(values == sorted(v for (_, v, _) in more), "after the leave: consumed values differ from the new messages")
    for c in cs:
        c.close()
    print(f"ok: {strategy}: three members 2+2+2, all {len(msgs)} consumed once, offsets committed, two members {parts} after a leave")
