#!/usr/bin/env bash
# kafka-delete-records with an offsets JSON file: low watermark moves, earliest offset follows, consumers
# start at the new log start; deleting past the high watermark is refused.
# compat: needs=delete-records timeout=90
source "$(dirname "$0")/_lib.sh"

create_topic "$TOPIC" 2
seq 0 9 | sed 's/^/r/' | produce "$TOPIC" --command-property partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner --command-property linger.ms=0 --command-property batch.size=1
# Where did the records go? (round robin: about half in each partition)
read -r p0 p1 <<<"$(kt kafka-get-offsets "${BS[@]}" --topic "$TOPIC" | sort | awk -F: '{printf "%s ", $3}')"
assert_eq 10 $((p0 + p1)) "records produced"
((p0 >= 4)) || fail "partition 0 has only $p0 records"

cat >"$W/offsets.json" <<JSON
{"version": 1, "partitions": [{"topic": "$TOPIC", "partition": 0, "offset": 3}, {"topic": "$TOPIC", "partition": 1, "offset": -1}]}
JSON
out="$(kt kafka-delete-records "${BS[@]}" --offset-json-file "$W/offsets.json")"
echo "$out"
assert_contains "$out" "partition: $TOPIC-0	low_watermark: 3" "delete-records partition 0"
assert_contains "$out" "partition: $TOPIC-1	low_watermark: $p1" "delete-records partition 1 (offset -1 = high watermark)"

out="$(kt kafka-get-offsets "${BS[@]}" --topic "$TOPIC" --time -2)"
assert_eq "$TOPIC:0:3 $TOPIC:1:$p1 " "$(sort <<<"$out" | tr '\n' ' ')" "earliest offsets after delete-records"
out="$(kt kafka-get-offsets "${BS[@]}" --topic "$TOPIC" --time -1)"
assert_eq "$TOPIC:0:$p0 $TOPIC:1:$p1 " "$(sort <<<"$out" | tr '\n' ' ')" "latest offsets unchanged by delete-records"

out="$(kt kafka-console-consumer "${BS[@]}" --topic "$TOPIC" --partition 0 --offset earliest --max-messages $((p0 - 3)) \
  --timeout-ms 20000 --formatter-property print.offset=true)"
first="$(grep -m1 -oE '^Offset:[0-9]+' <<<"$out")"
assert_eq "Offset:3" "$first" "first record readable in partition 0"

# Beyond the high watermark: OffsetOutOfRangeException for that partition.
echo "{\"version\": 1, \"partitions\": [{\"topic\": \"$TOPIC\", \"partition\": 0, \"offset\": 999}]}" >"$W/bad.json"
kt_may_fail kafka-delete-records "${BS[@]}" --offset-json-file "$W/bad.json" >"$W/bad"
grep -q 'OffsetOutOfRangeException' "$W/bad" || { cat "$W/bad"; fail "delete-records past the high watermark: no OffsetOutOfRangeException"; }
echo "ok: delete-records"
