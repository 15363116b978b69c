# compat: needs=groups timeout=120
# Transactions: a transactional producer commits, aborts and commits again; a read_committed consumer sees only
# the committed records (read_uncommitted sees all of them); then a small consume-transform-produce: a group
# consumer reads the input, one transaction writes the transformed records and send_offsets_to_transaction
# commits the group's input offsets with them.
from _common import *

OUT = TOPIC + "-out"
create_topic(TOPIC, 2)
create_topic(OUT, 2)


def txn_producer(tid):
    p = Producer({**COMMON, "transactional.id": tid, "transaction.timeout.ms": 30000, "linger.ms": 5})
    p.init_transactions(max(1, remaining()))
    return p


def send(p, topic, values):
    for i, v in enumerate(values):
        while True:
            try:
                p.produce(topic, key=f"k{i % 7}".encode(), value=v.encode())
                break
            except BufferError:
                p.poll(0.1)


def read_all(topic, isolation, expect):
    """Every record of every partition from offset 0 (no group), until `expect` records or the deadline."""
    c = Consumer({**COMMON, "group.id": GROUP + "-reader", "isolation.level": isolation, "enable.auto.commit": False,
                  "enable.partition.eof": False})
    md = admin().list_topics(topic=topic, timeout=10)
    c.assign([TopicPartition(topic, p, 0) for p in md.topics[topic].partitions])
    got = []
    try:
        while len(got) < expect and remaining() > 0:
            m = c.poll(1.0)
            if m is None:
                continue
            check(m.error() is None, f"{isolation} consumer error: {m.error()}")
            got.append(m.value().decode())
        extra = c.poll(2.0)
        check(extra is None or extra.error() is not None, f"{isolation}: unexpected extra record {extra and extra.value()}")
    finally:
        c.close()
    return got


try:
    p = txn_producer(TOPIC + "-tx")
    p.begin_transaction()
    send(p, TOPIC, [f"committed-a-{i}" for i in range(50)])
    p.commit_transaction(max(1, remaining()))
    p.begin_transaction()
    send(p, TOPIC, [f"aborted-{i}" for i in range(30)])
    p.flush(max(1, remaining()))  # the aborted records are in the log, not just in the client's queue
    p.abort_transaction(max(1, remaining()))
    p.begin_transaction()
    send(p, TOPIC, [f"committed-b-{i}" for i in range(20)])
    p.commit_transaction(max(1, remaining()))
except KafkaException as e:
    fail(f"transactional producer: {e.args[0]}")

committed = sorted(read_all(TOPIC, "read_committed", 70))
want = sorted([f"committed-a-{i}" for i in range(50)] + [f"committed-b-{i}" for i in range(20)])
check(committed == want, f"read_committed saw {len(committed)} records, {sum(v.startswith('aborted') for v in committed)} aborted; expected the 70 committed")
everything = read_all(TOPIC, "read_uncommitted", 100)
check(len(everything) == 100 and sum(v.startswith("aborted") for v in everything) == 30,
      f"read_uncommitted saw {len(everything)} records, expected 100 (30 aborted)")

# Consume-transform-produce: one transaction for the transformed records and the input offsets.
c = Consumer({**COMMON, "group.id": GROUP, "isolation.level": "read_committed", "auto.offset.reset": "earliest",
              "enable.auto.commit": False, "session.timeout.ms": 10000})
c.subscribe([TOPIC])
got = []
while len(got) < 70 and remaining() > 0:
    m = c.poll(1.0)
    if m is None:
        continue
    check(m.error() is None, f"group consumer error: {m.error()}")
    got.append(m)
check(len(got) == 70, f"group consumer read {len(got)} of 70 committed records")
positions = c.position(c.assignment())
try:
    p.begin_transaction()
    send(p, OUT, [f"out:{m.value().decode()}" for m in got])
    p.send_offsets_to_transaction(positions, c.consumer_group_metadata(), max(1, remaining()))
    p.commit_transaction(max(1, remaining()))
except KafkaException as e:
    fail(f"consume-transform-produce transaction: {e.args[0]}")
committed_offsets = {tp.partition: tp.offset for tp in c.committed(c.assignment(), timeout=10)}
want_offsets = {tp.partition: tp.offset for tp in positions}
check(committed_offsets == want_offsets, f"group offsets after the commit: {committed_offsets}, expected {want_offsets}")
c.close()
out = sorted(read_all(OUT, "read_committed", 70))
check(out == sorted(f"out:{v}" for v in want), f"output topic has {len(out)} committed records, expected the 70 transformed ones")
print("ok: transactions (commit, abort, read_committed, send_offsets_to_transaction)")
