# compat: needs=groups timeout=90
# Static membership (KIP-345, group.instance.id, JoinGroup v5+): two static members split four partitions;
# one restarts (close without leaving, rejoin with the same instance id within the session timeout) and gets
# the same partitions back while the other member is never revoked (no rebalance).
from _common import *

create_topic(TOPIC, 4)


def member(instance, revoked):
    conf = {**COMMON, "group.id": GROUP, "group.instance.id": instance, "auto.offset.reset": "earliest",
            "session.timeout.ms": 30000, "heartbeat.interval.ms": 500, "partition.assignment.strategy": "range"}
    c = Consumer(conf)
    c.subscribe([TOPIC], on_revoke=lambda _c, parts: revoked.append(sorted(p.partition for p in parts)) if parts else None)
    return c


def parts(c):
    return sorted(tp.partition for tp in c.assignment())


rev1, rev2 = [], []
c1, c2 = member("static-1", rev1), member("static-2", rev2)
while remaining() > 0 and not (len(parts(c1)) == 2 and len(parts(c2)) == 2):
    c1.poll(0.1)
    c2.poll(0.1)
a1, a2 = parts(c1), parts(c2)
check(sorted(a1 + a2) == [0, 1, 2, 3], f"assignments {a1} and {a2}: not a 2 + 2 split")
revoked_before = len(rev2)

c1.close()  # a static member does not send LeaveGroup
rev1b = []
c1b = member("static-1", rev1b)
while remaining() > 0 and len(parts(c1b)) == 0:
    c1b.poll(0.1)
    c2.poll(0.1)
for _ in range(20):  # give a (wrong) rebalance the chance to show up
    c1b.poll(0.1)
    c2.poll(0.1)
check(parts(c1b) == a1, f"the restarted static member got {parts(c1b)}, expected its old partitions {a1}")
check(parts(c2) == a2 and len(rev2) == revoked_before, f"the other member was revoked {rev2[revoked_before:]}: a rebalance happened")
c1b.close()
c2.close()
print(f"ok: static member restarted with the same partitions {a1}, the other kept {a2} without a rebalance")
