# AdminClient: create_topics with 3 partitions, list_topics shows them with leaders; creating it again
# fails with TOPIC_ALREADY_EXISTS; a bad partition count is rejected; delete_topics removes it.
import time
from _common import *

create_topic(TOPIC, 3)
a = admin()
md = a.list_topics(timeout=10)
check(TOPIC in md.topics, f"{TOPIC} missing from list_topics")
t = md.topics[TOPIC]
check(sorted(t.partitions) == [0, 1, 2], f"partitions {sorted(t.partitions)}")
check(len(md.brokers) == 1, f"{len(md.brokers)} brokers")
(bid, b), = md.brokers.items()
check(f"{b.host}:{b.port}" == BOOTSTRAP, f"broker advertises {b.host}:{b.port}, bootstrap is {BOOTSTRAP}")
for p in t.partitions.values():
    check(p.leader == bid, f"partition {p.id} leader {p.leader}")
    check(p.replicas == [bid] and p.isrs == [bid], f"partition {p.id} replicas {p.replicas} isr {p.isrs}")
check(md.cluster_id, "no cluster id")

fs = a.create_topics([NewTopic(TOPIC, num_partitions=3, replication_factor=1)], request_timeout=20)
try:
    fs[TOPIC].result(timeout=20)
    fail("second create_topics succeeded")
except KafkaException as e:
    check(e.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS, f"second create: {e.args[0]}")

bad = TOPIC + "-bad"
fs = a.create_topics([NewTopic(bad, num_partitions=0, replication_factor=1)], request_timeout=20)
try:
    fs[bad].result(timeout=20)
    fail("create_topics with 0 partitions succeeded")
except KafkaException as e:
    check(e.args[0].code() == KafkaError.INVALID_PARTITIONS, f"0 partitions: {e.args[0]}")

other = TOPIC + "-del"
create_topic(other, 1)
a.delete_topics([other], operation_timeout=15)[other].result(timeout=20)
while remaining() > 0:
    if other not in a.list_topics(timeout=10).topics:
        break
    time.sleep(0.2)
check(other not in a.list_topics(timeout=10).topics, f"{other} still listed after delete")
print("ok: create, list, duplicate, invalid, delete")
