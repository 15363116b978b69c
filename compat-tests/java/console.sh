#!/usr/bin/env bash
# kafka-console-producer (parse.key, key.separator, parse.headers) and kafka-console-consumer
# (--from-beginning, --group, --max-messages, print.*): keys, values, headers, partitions, offsets come back;
# a second run in the same group sees nothing (the group committed its offsets).
# compat: needs=groups timeout=90
source "$(dirname "$0")/_lib.sh"

create_topic "$TOPIC" 2
n=40
for ((i = 0; i < n; i++)); do
  printf 'src:java,idx:%d\tk%d|value-%03d\n' "$i" $((i % 5)) "$i"
done >"$W/in"
produce "$TOPIC" --reader-property parse.key=true --reader-property 'key.separator=|' \
  --reader-property parse.headers=true <"$W/in"

out="$(kt kafka-console-consumer "${BS[@]}" --topic "$TOPIC" --group "$GROUP" --from-beginning --max-messages "$n" \
  --timeout-ms 30000 --formatter-property print.key=true --formatter-property print.headers=true \
  --formatter-property print.partition=true --formatter-property print.offset=true \
  --formatter-property 'key.separator=|')"
grep -E '^Partition:' <<<"$out" >"$W/out" || true
assert_eq "$n" "$(wc -l <"$W/out")" "records consumed"
# Lines: Partition:P|Offset:O|src:java,idx:I|kK|value-III
awk -F'|' '
  { split($1, a, ":"); p = a[2]; split($2, b, ":"); o = b[2] + 0
    split($3, h, ","); if (h[1] != "src:java") { print "FAIL: bad headers " $3; exit 1 }
    split(h[2], hi, ":"); idx = hi[2] + 0
    if ($4 != "k" (idx % 5)) { print "FAIL: record " idx " has key " $4; exit 1 }
    if ($5 != sprintf("value-%03d", idx)) { print "FAIL: record " idx " has value " $5; exit 1 }
    if (p in next_off && o != next_off[p]) { print "FAIL: partition " p " offset " o " expected " next_off[p]; exit 1 }
    if (!(p in next_off) && o != 0) { print "FAIL: partition " p " starts at " o; exit 1 }
    next_off[p] = o + 1
    if ($4 in kp && kp[$4] != p) { print "FAIL: key " $4 " in two partitions"; exit 1 }
    kp[$4] = p; seen[idx]++
  }
  END { for (i = 0; i < '"$n"'; i++) if (seen[i] != 1) { print "FAIL: record " i " seen " seen[i] + 0 " times"; exit 1 } }
' "$W/out" || fail "$(grep FAIL "$W/out" | head -1)consumed records do not match (see above)"

# Same group again: offsets were committed, nothing left to read.
out="$(kt kafka-console-consumer "${BS[@]}" --topic "$TOPIC" --group "$GROUP" --timeout-ms 4000 \
  --formatter-property print.key=true 2>&1 || true)"
assert_contains "$out" "Processed a total of 0 messages" "second run in group $GROUP"

# A new group with --from-beginning on one partition, limited by --max-messages.
out="$(kt kafka-console-consumer "${BS[@]}" --topic "$TOPIC" --partition 0 --offset earliest --max-messages 3 \
  --timeout-ms 20000 --formatter-property print.offset=true)"
assert_eq "Offset:0 Offset:1 Offset:2 " "$(grep -oE '^Offset:[0-9]+' <<<"$out" | tr '\n' ' ')" "--partition 0 --offset earliest --max-messages 3"
echo "ok: $n records with keys and headers through console producer/consumer"
