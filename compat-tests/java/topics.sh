#!/usr/bin/env bash
# kafka-topics: --create (with configs), --list, --describe (partitions, leaders, configs),
# --alter --partitions, duplicate --create refused, --delete.
# compat: timeout=90
source "$(dirname "$0")/_lib.sh"

create_topic "$TOPIC" 3 --config retention.ms=3600000 --config max.message.bytes=200000

out="$(kt kafka-topics "${BS[@]}" --list)"
grep -qxF "$TOPIC" <<<"$out" || fail "kafka-topics --list does not show $TOPIC"

out="$(kt kafka-topics "${BS[@]}" --describe --topic "$TOPIC")"
echo "$out"
head="$(grep -F "Topic: $TOPIC" <<<"$out" | grep -F 'PartitionCount' || true)"
[[ -n "$head" ]] || fail "--describe: no summary line for $TOPIC"
assert_contains "$head" "PartitionCount: 3" "--describe summary"
assert_contains "$head" "ReplicationFactor: 1" "--describe summary"
assert_contains "$head" "retention.ms=3600000" "--describe Configs"
assert_contains "$head" "max.message.bytes=200000" "--describe Configs"
grep -qE 'TopicId: [A-Za-z0-9_-]{22}' <<<"$head" || fail "--describe: no 22-char topic id in '$head'"
# One line per partition: Partition: N Leader: B Replicas: B Isr: B, all on the same single broker.
parts="$(grep -E "Topic: $TOPIC\s+Partition: [0-9]+" <<<"$out" | sed -E 's/.*Partition: ([0-9]+).*/\1/' | sort -n | tr '\n' ' ')"
assert_eq "0 1 2 " "$parts" "--describe partition lines"
bad="$(grep -E "Topic: $TOPIC\s+Partition:" <<<"$out" | grep -vE 'Leader: ([0-9]+)\s+Replicas: \1\s+Isr: \1' || true)"
[[ -z "$bad" ]] || fail "--describe: partition without leader=replicas=isr: $bad"

kt kafka-topics "${BS[@]}" --alter --topic "$TOPIC" --partitions 5 >/dev/null
out="$(kt kafka-topics "${BS[@]}" --describe --topic "$TOPIC")"
assert_contains "$out" "PartitionCount: 5" "--describe after --alter --partitions 5"
n="$(grep -cE "Topic: $TOPIC\s+Partition: [0-9]+" <<<"$out")"
assert_eq 5 "$n" "partition lines after --alter"

# Decreasing the partition count is refused (InvalidPartitionsException).
kt_may_fail kafka-topics "${BS[@]}" --alter --topic "$TOPIC" --partitions 2 >"$W/dec"
((KT_RC != 0)) || fail "--alter --partitions 2 (decrease) succeeded"
grep -q 'InvalidPartitionsException' "$W/dec" || { cat "$W/dec"; fail "--alter decrease: no InvalidPartitionsException"; }

# A second --create of the same name is refused (TopicExistsException).
kt_may_fail kafka-topics "${BS[@]}" --create --topic "$TOPIC" --partitions 1 --replication-factor 1 >"$W/dup"
((KT_RC != 0)) || fail "duplicate --create succeeded"
grep -q 'TopicExistsException' "$W/dup" || { cat "$W/dup"; fail "duplicate --create: no TopicExistsException"; }

out="$(kt kafka-topics "${BS[@]}" --delete --topic "$TOPIC")"
for i in $(seq 1 30); do
  out="$(kt kafka-topics "${BS[@]}" --list)"
  grep -qxF "$TOPIC" <<<"$out" || break
  sleep 0.5
done
! grep -qxF "$TOPIC" <<<"$out" || fail "$TOPIC still listed after --delete"
kt_may_fail kafka-topics "${BS[@]}" --describe --topic "$TOPIC" >"$W/gone"
grep -qE "UnknownTopicOrPartitionException|does not exist" "$W/gone" || { cat "$W/gone"; fail "--describe of a deleted topic: no UnknownTopicOrPartition"; }
echo "ok: create/list/describe/alter/delete"
