#!/usr/bin/env bash
# franz-go GroupTransactSession: consume-transform-produce; the group's offsets are committed inside each
# transaction (AddOffsetsToTxn + TxnOffsetCommit with the member's generation); output read_committed once each.
# compat: needs=groups,transactions timeout=120
source "$(dirname "$0")/_lib.sh"
compat_go eos
