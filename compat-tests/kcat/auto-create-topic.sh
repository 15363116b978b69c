#!/usr/bin/env bash
# Producing to a topic that does not exist creates it (auto.create.topics.enable, default true) and the
# message is delivered and can be read back, with key, value and timestamp.
source "$(dirname "$0")/_lib.sh"

before=$(kc -L -J | jq --arg t "$TOPIC" '[.topics[] | select(.topic == $t and .error == null)] | length')
assert_eq 0 "$before" "topic listed before first produce"

ts=$(( $(date +%s) * 1000 ))
echo "the-key:first message" | kc -P -t "$TOPIC" -K: || fail "produce to a new topic failed"
wait_topic "$TOPIC"
np=$(kc -L -t "$TOPIC" -J | jq --arg t "$TOPIC" '.topics[] | select(.topic == $t) | .partitions | length')
(( np >= 1 )) || fail "auto-created topic has $np partitions"

out=$(consume_all "$TOPIC" -f '%k|%s|%T\n') || fail "consume failed"
assert_eq 1 "$(echo "$out" | wc -l)" "records in the new topic"
IFS='|' read -r k v t <<<"$out"
assert_eq "the-key" "$k" "key"
assert_eq "first message" "$v" "value"
(( t >= ts - 60000 && t <= ts + 60000 )) || fail "timestamp $t is not near now ($ts)"
echo "ok: auto-created topic with $np partition(s), message read back"
