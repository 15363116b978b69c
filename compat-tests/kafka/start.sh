#!/usr/bin/env bash
# Start Apache Kafka on 127.0.0.1; prints BOOTSTRAP=host:port when it answers. See start.mjs for options.
#   compat-tests/kafka/start.sh                 # foreground, Ctrl-C stops it
#   compat-tests/kafka/start.sh --detach        # background; then: compat-tests/kafka/stop.sh <DATA_DIR>
set -euo pipefail
exec node "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/start.mjs" "$@"
