#!/usr/bin/env bash
# ClientProgram.java with kafka-clients 3.9.1 (java/_fetch-clients.sh): idempotent producer, transactions
# (commit/abort, read_committed, offsets in a transaction), a consumer group of two members.
# compat: needs=groups,transactions timeout=150
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CLIENT_LIBS="$(CLIENTS_VERSION=3.9.1 bash "$here/_fetch-clients.sh")"
source "$here/_client.sh"
