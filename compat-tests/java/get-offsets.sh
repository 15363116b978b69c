#!/usr/bin/env bash
# kafka-get-offsets: latest (-1), earliest (-2), by timestamp, --partitions and --topic-partitions filters.
# compat: timeout=90
source "$(dirname "$0")/_lib.sh"

create_topic "$TOPIC" 3
create_topic "$TOPIC-one" 1
for ((i = 0; i < 30; i++)); do printf 'k%d\tv%d\n' "$i" "$i"; done >"$W/keyed"
produce "$TOPIC" --reader-property parse.key=true <"$W/keyed"
seq 1 5 | sed 's/^/a/' | produce "$TOPIC-one"
sleep 1.2
ts=$(($(date +%s%3N) - 100))
sleep 0.2
seq 1 7 | sed 's/^/b/' | produce "$TOPIC-one"

out="$(kt kafka-get-offsets "${BS[@]}" --topic "$TOPIC")"
echo "$out"
assert_eq 3 "$(grep -c "^$TOPIC:[0-2]:[0-9]*$" <<<"$out")" "latest offsets: lines per partition"
assert_eq 30 "$(awk -F: '{s += $3} END {print s}' <<<"$out")" "sum of latest offsets"
keyed_parts="$(awk -F: '$3 > 0' <<<"$out" | wc -l)"
((keyed_parts >= 2)) || fail "30 keys all went to one partition: $out"

out="$(kt kafka-get-offsets "${BS[@]}" --topic "$TOPIC" --time -2)"
assert_eq "$TOPIC:0:0 $TOPIC:1:0 $TOPIC:2:0 " "$(sort <<<"$out" | tr '\n' ' ')" "earliest offsets"

out="$(kt kafka-get-offsets "${BS[@]}" --topic "$TOPIC" --partitions 1,2 --time latest)"
assert_eq "1 2 " "$(cut -d: -f2 <<<"$out" | sort | tr '\n' ' ')" "--partitions 1,2"

out="$(kt kafka-get-offsets "${BS[@]}" --topic-partitions "$TOPIC-one:0")"
assert_eq "$TOPIC-one:0:12" "$out" "latest offset of the one-partition topic"
# First offset whose timestamp is >= ts: the first record of the second batch.
out="$(kt kafka-get-offsets "${BS[@]}" --topic-partitions "$TOPIC-one:0" --time "$ts")"
assert_eq "$TOPIC-one:0:5" "$out" "offset by timestamp"
echo "ok: latest/earliest/by-timestamp offsets"
