# Helpers for the Java CLI scenarios (sourced). The runner sets BOOTSTRAP, TOPIC, GROUP, KAFKA_TOOL,
# LOG_DIRS (the broker's log.dirs), SCENARIO_TIMEOUT. Each tool call is a JVM start (~1-2 s): keep calls few.
set -euo pipefail

: "${BOOTSTRAP:?BOOTSTRAP must be set (host:port)}"
: "${TOPIC:?TOPIC must be set}"
: "${GROUP:=$TOPIC-group}"
KAFKA_TOOL="${KAFKA_TOOL:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../kafka" && pwd)/tool.sh}"
BS=(--bootstrap-server "$BOOTSTRAP")

W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

assert_eq() { # expected actual what
  [[ "$1" == "$2" ]] || fail "$3: expected '$1', got '$2'"
}

assert_contains() { # haystack needle what
  [[ "$1" == *"$2"* ]] || { printf '%s\n' "$1" | tail -20 >&2; fail "$3: output lacks '$2'"; }
}

assert_not_contains() { # haystack needle what
  [[ "$1" != *"$2"* ]] || { printf '%s\n' "$1" | tail -20 >&2; fail "$3: output has '$2'"; }
}

# Run a Kafka tool; stdout is the tool's stdout. On a non-zero exit, show its stderr and FAIL with the
# most telling error line (exception message) so the scoreboard says why.
kt() { # tool args...
  local tool="$1" rc=0
  "$KAFKA_TOOL" "$@" 2>"$W/stderr" || rc=$?
  if ((rc != 0)); then
    tail -30 "$W/stderr" >&2
    local why
    why="$(grep -E 'Exception|Error|error' "$W/stderr" | grep -v '^\s*at ' | tail -1)"
    fail "$tool exited $rc: ${why:-$(tail -1 "$W/stderr")}"
  fi
  cat "$W/stderr" >&2
}

# Same, but a non-zero exit is expected: prints stdout+stderr, returns the exit code in $KT_RC.
kt_may_fail() { # tool args...
  KT_RC=0
  "$KAFKA_TOOL" "$@" 2>&1 || KT_RC=$?
}

create_topic() { # name partitions [extra args]
  local name="$1" parts="$2"
  shift 2
  local out
  out="$(kt kafka-topics "${BS[@]}" --create --topic "$name" --partitions "$parts" --replication-factor 1 "$@")"
  assert_contains "$out" "Created topic $name." "kafka-topics --create"
}

# Produce lines from stdin with kafka-console-producer (acks=all, default idempotent producer).
produce() { # topic [extra console-producer args]
  local t="$1"
  shift
  kt kafka-console-producer "${BS[@]}" --topic "$t" --command-property acks=all "$@" >/dev/null
}

# Sum of the latest offsets of a topic (kafka-get-offsets prints topic:partition:offset lines).
sum_offsets() { # topic [--time X]
  local t="$1"
  shift
  kt kafka-get-offsets "${BS[@]}" --topic "$t" "$@" | awk -F: '{s += $NF} END {print s + 0}'
}
