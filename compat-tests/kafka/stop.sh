#!/usr/bin/env bash
# Stop a Kafka started with `start.sh --detach`: SIGTERM (controlled shutdown), SIGKILL after 30 s.
#   compat-tests/kafka/stop.sh <DATA_DIR> [--rm]     (--rm also deletes DATA_DIR)
set -euo pipefail
dir="${1:?usage: stop.sh <DATA_DIR> [--rm]}"
pid="$(cat "$dir/kafka.pid")"
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "stop.sh: Kafka (pid $pid) still running after 30 s; SIGKILL" >&2
    kill -KILL "$pid" || true
  fi
fi
rm -f "$dir/kafka.pid"
if [[ "${2:-}" == "--rm" ]]; then rm -rf "$dir"; fi
echo "stopped Kafka (pid $pid)"
