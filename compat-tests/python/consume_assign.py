# Without a consumer group: produce (gzip) to 3 partitions, read back with assign() from offset 0, no commits.
# Isolates produce/fetch from group coordination.
from _common import *

create_topic(TOPIC, 3)
msgs = messages(300, "assign")
delivered = produce_all(msgs, **{"compression.type": "gzip"})
got = consume_n(len(msgs), assign=[0, 1, 2])
check_roundtrip(msgs, delivered, got)
print("ok: assign() round trip")
