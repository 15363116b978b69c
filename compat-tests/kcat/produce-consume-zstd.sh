#!/usr/bin/env bash
# Produce 500 keyed messages with a header, compressed with zstd, consume them back from the beginning.
source "$(dirname "$0")/_lib.sh"
roundtrip_codec zstd
