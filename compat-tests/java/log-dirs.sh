#!/usr/bin/env bash
# kafka-log-dirs --describe: the broker's log dir (LOG_DIRS from the runner), partitions with their sizes.
# compat: needs=log-dirs timeout=60
source "$(dirname "$0")/_lib.sh"
: "${LOG_DIRS:?LOG_DIRS must be set to the log.dirs of the broker}"

create_topic "$TOPIC" 2
seq 1 50 | sed 's/^/some-record-value-/' | produce "$TOPIC" --command-property partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner
out="$(kt kafka-log-dirs "${BS[@]}" --describe --topic-list "$TOPIC")"
echo "$out"
json="$(grep -m1 '^{' <<<"$out")"
[[ -n "$json" ]] || fail "kafka-log-dirs printed no JSON"
assert_eq "$LOG_DIRS" "$(jq -r '.brokers[0].logDirs[0].logDir' <<<"$json")" "logDir"
assert_eq "null" "$(jq -r '.brokers[0].logDirs[0].error' <<<"$json")" "logDir error"
assert_eq "$TOPIC-0 $TOPIC-1" "$(jq -r '[.brokers[].logDirs[].partitions[].partition] | sort | join(" ")' <<<"$json")" "partitions listed"
small="$(jq '[.brokers[].logDirs[].partitions[] | select(.size < 500)] | length' <<<"$json")"
assert_eq 0 "$small" "partitions with size < 500 bytes (25 records each)"
assert_eq "0 0" "$(jq -r '[.brokers[].logDirs[].partitions[].offsetLag] | join(" ")' <<<"$json")" "offsetLag"
assert_eq "false false" "$(jq -r '[.brokers[].logDirs[].partitions[].isFuture] | join(" ")' <<<"$json")" "isFuture"
echo "ok: log-dirs"
