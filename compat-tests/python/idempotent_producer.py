# compat: needs=groups timeout=90
# Idempotent producer (enable.idempotence=True, 5 in flight, small batches): 5000 records over 3 partitions,
# all delivered at consecutive offsets, consumed back exactly once and in produce order per partition.
from _common import *

create_topic(TOPIC, 3)
msgs = messages(5000, "idem")
delivered = produce_all(msgs, **{"enable.idempotence": True, "acks": "all", "max.in.flight.requests.per.connection": 5,
                                 "batch.num.messages": 50, "linger.ms": 1})
check_roundtrip(msgs, delivered, consume_n(len(msgs)))
print("ok: idempotent producer, 5000 records exactly once in order")
