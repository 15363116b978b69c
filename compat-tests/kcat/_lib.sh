# Helpers for kcat scenarios (sourced). The runner sets BOOTSTRAP, TOPIC, GROUP, SCENARIO_TIMEOUT.
set -euo pipefail

: "${BOOTSTRAP:?BOOTSTRAP must be set (host:port)}"
: "${TOPIC:?TOPIC must be set}"

# Print the reason on a FAIL: line (the runner shows it on the scoreboard) and stop.
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

assert_eq() { # expected actual what
  [[ "$1" == "$2" ]] || fail "$3: expected '$1', got '$2'"
}

# kcat with the common options; -m bounds metadata waits, the socket timeout keeps a hung broker from
# hanging the scenario past the runner's timeout.
# A producer (-P) gives up on undelivered messages after 20 s instead of librdkafka's default 5 minutes.
KCAT_TIMEOUT_S="${KCAT_TIMEOUT_S:-20}"
kc() {
  local extra=()
  [[ "${1:-}" == -P ]] && extra=(-X message.timeout.ms=$((KCAT_TIMEOUT_S * 1000)))
  kcat -b "$BOOTSTRAP" -m "$KCAT_TIMEOUT_S" -X socket.timeout.ms=10000 -X api.version.request=true "${extra[@]}" "$@"
}

# Wait until the topic's metadata shows it with at least one partition and a leader (auto-creation is
# asynchronous in Kafka).
wait_topic() { # topic
  local t="$1" deadline=$((SECONDS + 20))
  while ((SECONDS < deadline)); do
    if kcat -b "$BOOTSTRAP" -m 5 -L -t "$t" -J 2>/dev/null | jq -e --arg t "$t" \
      '.topics[] | select(.topic == $t and (.error == null) and (.partitions | length) > 0 and all(.partitions[]; .leader >= 0))' \
      >/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  fail "topic $t did not appear in metadata with leaders within 20 s"
}

# Messages "key:value" lines for produce with -K:. Keys cycle over 7 values; values name the index and
# carry a compressible payload so codecs have something to do.
gen_messages() { # count tag
  local n="$1" tag="$2" i
  local pad
  pad="$(printf 'payload-%.0s' {1..20})"
  for ((i = 0; i < n; i++)); do
    printf 'k%d:%s-%05d-%s\n' $((i % 7)) "$tag" "$i" "$pad"
  done
}

# Consume everything from the beginning until end of partitions (-e) as "partition<TAB>offset<TAB>key<TAB>value<TAB>headers".
consume_all() { # topic [extra kcat args]
  local t="$1"
  shift
  kc -C -t "$t" -o beginning -e -q -f '%p\t%o\t%k\t%s\t%h\n' "$@"
}

# Given produced "key:value" lines (file 1) and consumed records (file 2, consume_all format), check:
# every message came back exactly once, per partition in produced order with consecutive offsets,
# and one key always maps to one partition.
check_roundtrip() { # produced_file consumed_file
  local produced="$1" consumed="$2"
  local want got
  want=$(wc -l <"$produced")
  got=$(wc -l <"$consumed")
  assert_eq "$want" "$got" "consumed message count"
  # Same multiset of key:value.
  diff <(sort "$produced") <(awk -F'\t' '{print $3 ":" $4}' "$consumed" | sort) >/dev/null ||
    fail "consumed keys/values differ from produced ones"
  # Per partition: produced order preserved (order of value indexes) and offsets consecutive from 0.
  awk -F'\t' '
    { p = $1; o = $2 + 0; split($4, parts, "-"); idx = parts[2] + 0
      if (p in lastOff) { if (o != lastOff[p] + 1) { printf "FAIL: partition %s offset %d follows %d\n", p, o, lastOff[p]; bad = 1; exit 1 } }
      else if (o != 0) { printf "FAIL: partition %s starts at offset %d, expected 0\n", p, o; bad = 1; exit 1 }
      if (p in lastIdx && idx <= lastIdx[p]) { printf "FAIL: partition %s: message %d after %d (out of order)\n", p, idx, lastIdx[p]; bad = 1; exit 1 }
      lastOff[p] = o; lastIdx[p] = idx
      if ($3 in keyPart && keyPart[$3] != p) { printf "FAIL: key %s in partitions %s and %s\n", $3, keyPart[$3], p; bad = 1; exit 1 }
      keyPart[$3] = p
    }' "$consumed" >&2 || fail "per-partition order/offset check failed (see above)"
}

# Full round trip with one compression codec: produce N keyed messages with a header, consume from the
# beginning, check contents, order, header.
roundtrip_codec() { # codec
  local codec="$1" n=500
  WORK_DIR="$(mktemp -d)"
  trap 'rm -rf "$WORK_DIR"' EXIT
  local dir="$WORK_DIR"
  gen_messages "$n" "$codec" >"$dir/produced"
  kc -P -t "$TOPIC" -K: -z "$codec" -H "codec=$codec" -X linger.ms=5 -X batch.num.messages=100 <"$dir/produced" ||
    fail "kcat produce with -z $codec exited non-zero"
  wait_topic "$TOPIC"
  consume_all "$TOPIC" >"$dir/consumed" || fail "kcat consume exited non-zero"
  check_roundtrip "$dir/produced" "$dir/consumed"
  # Every record carries the header the producer set.
  local bad
  bad=$(awk -F'\t' -v h="codec=$codec" '$5 != h' "$dir/consumed" | head -1)
  [[ -z "$bad" ]] || fail "record without header $codec: $bad"
  echo "ok: $n messages with -z $codec came back in order with key, value and header"
}
