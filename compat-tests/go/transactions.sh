#!/usr/bin/env bash
# franz-go: transactional producer commits, aborts, commits; a read_committed consumer sees only committed
# records in order, read_uncommitted sees all; end offsets include the control markers.
# compat: needs=transactions timeout=120
source "$(dirname "$0")/_lib.sh"
compat_go txn
