#!/usr/bin/env bash
# kafka-producer-perf-test (20k records, acks=all) then kafka-consumer-perf-test in a group reads them all.
# compat: needs=groups timeout=120
source "$(dirname "$0")/_lib.sh"

create_topic "$TOPIC" 3
out="$(kt kafka-producer-perf-test --topic "$TOPIC" --num-records 20000 --record-size 200 --throughput -1 \
  "${BS[@]}" --command-property acks=all linger.ms=5 compression.type=lz4)"
echo "$out"
last="$(tail -1 <<<"$out")"
[[ "$last" =~ ^20000\ records\ sent ]] || fail "producer-perf-test summary: $last"
assert_eq 20000 "$(sum_offsets "$TOPIC")" "sum of latest offsets after perf test"

out="$(kt kafka-consumer-perf-test "${BS[@]}" --topic "$TOPIC" --num-records 20000 --group "$GROUP" --timeout 30000 2>&1 || true)"
echo "$out"
# CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
row="$(grep -A1 'data.consumed.in.nMsg' <<<"$out" | tail -1)"
nmsg="$(awk -F', *' '{print $5}' <<<"$row")"
assert_eq 20000 "$nmsg" "consumer-perf-test data.consumed.in.nMsg"
mb="$(awk -F', *' '{print $3}' <<<"$row")"
awk -v mb="$mb" 'BEGIN {exit !(mb > 3.8 && mb < 3.9)}' || fail "consumer-perf-test consumed $mb MB, expected 20000 x 200 B = 3.81 MB"
echo "ok: perf tests"
