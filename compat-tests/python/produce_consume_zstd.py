# compat: needs=groups
# Producer with compression.type=zstd: 600 keyed messages with headers over 3 partitions, every delivery report
# succeeds with consecutive offsets; a group consumer reads them all back in order per partition and commits.
from _common import *

create_topic(TOPIC, 3)
msgs = messages(600, "zstd")
delivered = produce_all(msgs, **{"compression.type": "zstd", "acks": "all"})
got = consume_n(len(msgs))
check_roundtrip(msgs, delivered, got)
print("ok: zstd round trip")
