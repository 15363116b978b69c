#!/usr/bin/env bash
# franz-go: 2000 keyed records with headers, compression none, into 3 partitions; read back from the start
# (direct partitions, no group): offsets as acked, keys, values, headers, timestamps; end offsets listed.
# compat: timeout=90
source "$(dirname "$0")/_lib.sh"
compat_go produce-consume none
