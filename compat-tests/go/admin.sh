#!/usr/bin/env bash
# franz-go kadm: create topics (configs; duplicate refused), list topics (ids, leaders, replicas),
# describe configs (values and sources), list start/end/by-time offsets, list groups, delete topic.
# compat: needs=configs,groups timeout=90
source "$(dirname "$0")/_lib.sh"
compat_go admin
