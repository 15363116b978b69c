#!/usr/bin/env bash
# ClientProgram.java with kafka-clients 4.3.1 (the Kafka jars): idempotent producer, transactions
# (commit/abort, read_committed, offsets in a transaction), a consumer group of two members.
# compat: needs=groups,transactions timeout=150
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CLIENT_LIBS="$(bash "$here/../kafka/fetch.sh")"
source "$here/_client.sh"
