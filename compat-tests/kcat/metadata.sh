#!/usr/bin/env bash
# kcat -L -J: the broker is listed at the bootstrap address, and a topic we produced to is listed with its
# partitions, each led by that broker.
source "$(dirname "$0")/_lib.sh"

echo "k:hello" | kc -P -t "$TOPIC" -K: || fail "produce to $TOPIC failed"
wait_topic "$TOPIC"

md="$(kc -L -J)" || fail "kcat -L -J exited non-zero"
echo "$md" | jq . >/dev/null || fail "kcat -L -J did not print JSON"

host="${BOOTSTRAP%:*}"
port="${BOOTSTRAP##*:}"
nbrokers=$(echo "$md" | jq '.brokers | length')
assert_eq 1 "$nbrokers" "number of brokers"
bname=$(echo "$md" | jq -r '.brokers[0].name')
assert_eq "$host:$port" "$bname" "advertised broker address"
bid=$(echo "$md" | jq '.brokers[0].id')
[[ "$bid" =~ ^[0-9]+$ ]] || fail "broker id '$bid' is not a non-negative integer"
ctrl=$(echo "$md" | jq '.controllerid')
[[ "$ctrl" =~ ^-?[0-9]+$ ]] || fail "controllerid '$ctrl' missing"

t=$(echo "$md" | jq --arg t "$TOPIC" '[.topics[] | select(.topic == $t)] | length')
assert_eq 1 "$t" "topic $TOPIC in the full listing"
err=$(echo "$md" | jq -r --arg t "$TOPIC" '.topics[] | select(.topic == $t) | .error // "none"')
assert_eq none "$err" "topic error"
np=$(echo "$md" | jq --arg t "$TOPIC" '.topics[] | select(.topic == $t) | .partitions | length')
(( np >= 1 )) || fail "topic $TOPIC has $np partitions"
leaders=$(echo "$md" | jq -r --arg t "$TOPIC" '[.topics[] | select(.topic == $t) | .partitions[].leader] | unique | map(tostring) | join(",")')
assert_eq "$bid" "$leaders" "partition leaders"
replicas=$(echo "$md" | jq -r --arg t "$TOPIC" '[.topics[] | select(.topic == $t) | .partitions[] | .replicas[].id, .isrs[].id] | unique | map(tostring) | join(",")')
assert_eq "$bid" "$replicas" "replicas and ISR"
ids=$(echo "$md" | jq -r --arg t "$TOPIC" '[.topics[] | select(.topic == $t) | .partitions[].partition] | sort | map(tostring) | join(",")')
assert_eq "$(seq -s, 0 $((np - 1)))" "$ids" "partition ids"

# Metadata for just this topic agrees.
one=$(kc -L -t "$TOPIC" -J | jq --arg t "$TOPIC" '[.topics[] | select(.topic == $t) | .partitions | length] | .[0]')
assert_eq "$np" "$one" "partition count in single-topic metadata"
echo "ok: broker $bid at $bname, topic with $np partition(s)"
