# compat: needs=groups
# acks=1 (leader only, not idempotent): all delivered, read back by a group.
from _common import *

create_topic(TOPIC, 3)
msgs = messages(300, "acks-1")
delivered = produce_all(msgs, **{"acks": "1", "enable.idempotence": False})
check_roundtrip(msgs, delivered, consume_n(len(msgs)))
print("ok: acks=1")
