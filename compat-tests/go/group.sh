#!/usr/bin/env bash
# franz-go: two group members (cooperative-sticky) share a 4-partition topic 2+2, read 400 records once,
# commit; DescribeGroups shows Stable with 2 members; the committed offsets sum to 400.
# compat: needs=groups timeout=120
source "$(dirname "$0")/_lib.sh"
compat_go group
