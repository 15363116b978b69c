# compat: needs=groups
# Two consumers in one group split 4 partitions (range: 2 + 2); once the group is stable, they read every
# message produced exactly once; after they commit and leave, a new member of the group starts from the
# committed offsets and sees only new messages.
from _common import *

create_topic(TOPIC, 4)

conf = {**COMMON, "group.id": GROUP, "auto.offset.reset": "earliest", "enable.auto.commit": False,
        "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000, "partition.assignment.strategy": "range"}
c1, c2 = Consumer(conf), Consumer(conf)
c1.subscribe([TOPIC])
c2.subscribe([TOPIC])
# Join: poll both until the group is stable with 2 partitions each (the topic is empty so far).
while remaining() > 0 and not (len(c1.assignment()) == 2 and len(c2.assignment()) == 2):
    for n, c in ((1, c1), (2, c2)):
        m = c.poll(0.2)
        check(m is None or m.error() is not None, f"consumer {n} read a record from an empty topic")
a1 = sorted(tp.partition for tp in c1.assignment())
a2 = sorted(tp.partition for tp in c2.assignment())
check(sorted(a1 + a2) == [0, 1, 2, 3] and len(a1) == 2, f"assignments {a1} and {a2}: not a 2 + 2 split")

msgs = messages(400, "group")
delivered = produce_all(msgs)
got = {1: [], 2: []}
while sum(map(len, got.values())) < len(msgs) and remaining() > 0:
    for n, c in ((1, c1), (2, c2)):
        m = c.poll(0.2)
        if m is not None:
            check(m.error() is None, f"consumer {n}: {m.error()}")
            got[n].append(m)
check(sum(map(len, got.values())) == len(msgs), f"consumed {sum(map(len, got.values()))} of {len(msgs)}")
for n, mine in ((1, a1), (2, a2)):
    parts = {m.partition() for m in got[n]}
    check(parts <= set(mine), f"consumer {n} read partitions {sorted(parts)} outside its assignment {mine}")
check_roundtrip(msgs, delivered, sorted(got[1] + got[2], key=lambda m: (m.partition(), m.offset())))
c1.commit(asynchronous=False)
c2.commit(asynchronous=False)
c1.close()
c2.close()

more = messages(50, "group2")
produce_all(more, fresh=False)
c3 = Consumer(conf)
c3.subscribe([TOPIC])
rest = []
while len(rest) < len(more) and remaining() > 0:
    m = c3.poll(0.5)
    if m is not None:
        check(m.error() is None, f"consumer 3: {m.error()}")
        rest.append(m)
extra = c3.poll(2.0)
c3.close()
check(len(rest) == len(more), f"new member read {len(rest)} records, expected the {len(more)} new ones")
check(extra is None, "new member read more than the new records (committed offsets ignored?)")
check(all(m.value().startswith(b"group2-") for m in rest), "new member re-read old records")
print("ok: two members split 4 partitions, committed offsets honoured by a new member")
