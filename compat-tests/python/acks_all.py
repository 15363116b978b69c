# compat: needs=groups
# acks=all (idempotent producer, librdkafka's default with enable.idempotence): all delivered, read back by a group.
from _common import *

create_topic(TOPIC, 3)
msgs = messages(300, "acks-all")
delivered = produce_all(msgs, **{"acks": "all", "enable.idempotence": True})
check_roundtrip(msgs, delivered, consume_n(len(msgs)))
print("ok: acks=all")
