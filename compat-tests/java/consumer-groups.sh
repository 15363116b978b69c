#!/usr/bin/env bash
# kafka-consumer-groups: --list, --describe (offsets, lag), --reset-offsets --to-earliest --execute,
# --delete-offsets, --delete, after a console consumer committed offsets in the group.
# compat: needs=groups timeout=120
source "$(dirname "$0")/_lib.sh"

create_topic "$TOPIC" 2
seq 1 30 | sed 's/^/m/' >"$W/in"
produce "$TOPIC" <"$W/in"
kt kafka-console-consumer "${BS[@]}" --topic "$TOPIC" --group "$GROUP" --from-beginning --max-messages 30 \
  --timeout-ms 30000 >"$W/consumed" 2>/dev/null
assert_eq 30 "$(grep -c '^m' "$W/consumed")" "records consumed by the group"

out="$(kt kafka-consumer-groups "${BS[@]}" --list)"
grep -qxF "$GROUP" <<<"$out" || fail "--list does not show $GROUP: $(tr '\n' ' ' <<<"$out")"

# describe rows: GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
describe() {
  kt kafka-consumer-groups "${BS[@]}" --describe --group "$GROUP" | awk -v t="$TOPIC" '$2 == t {print $3, $4, $5, $6}' | sort -n
}
rows="$(describe)"
echo "$rows"
assert_eq 2 "$(wc -l <<<"$rows")" "--describe rows (one per partition)"
read -r cur end lag <<<"$(awk '{c += $2; e += $3; l += $4} END {print c, e, l}' <<<"$rows")"
assert_eq "30 30 0" "$cur $end $lag" "--describe current/log-end/lag sums"

out="$(kt kafka-consumer-groups "${BS[@]}" --reset-offsets --to-earliest --execute --group "$GROUP" --topic "$TOPIC")"
echo "$out"
new="$(awk -v t="$TOPIC" '$2 == t {print $3 "=" $4}' <<<"$out" | sort | tr '\n' ' ')"
assert_eq "0=0 1=0 " "$new" "--reset-offsets --to-earliest NEW-OFFSET per partition"
rows="$(describe)"
read -r cur end lag <<<"$(awk '{c += $2; e += $3; l += $4} END {print c, e, l}' <<<"$rows")"
assert_eq "0 30 30" "$cur $end $lag" "--describe after reset (current/log-end/lag)"

out="$(kt kafka-consumer-groups "${BS[@]}" --delete-offsets --group "$GROUP" --topic "$TOPIC")"
echo "$out"
assert_contains "$out" "Request succeeded for deleting offsets" "--delete-offsets"
ok="$(awk -v t="$TOPIC" '$1 == t && $3 == "Successful"' <<<"$out" | wc -l)"
assert_eq 2 "$ok" "--delete-offsets partitions reported Successful"
out="$(kt kafka-consumer-groups "${BS[@]}" --describe --group "$GROUP" 2>&1 || true)"
rows="$(awk -v t="$TOPIC" '$2 == t' <<<"$out")"
[[ -z "$rows" ]] || fail "--describe after --delete-offsets still shows offsets: $rows"

out="$(kt kafka-consumer-groups "${BS[@]}" --delete --group "$GROUP")"
assert_contains "$out" "Deletion of requested consumer groups ('$GROUP') was successful." "--delete"
out="$(kt kafka-consumer-groups "${BS[@]}" --list)"
! grep -qxF "$GROUP" <<<"$out" || fail "--list still shows $GROUP after --delete"
echo "ok: list/describe/reset/delete-offsets/delete"
