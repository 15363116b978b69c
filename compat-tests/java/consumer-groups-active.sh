#!/usr/bin/env bash
# kafka-consumer-groups against a group with a live member (a background console consumer):
# --describe --state (range, Stable, 1 member), --members --verbose (assignment), offsets rows with the
# member's id; --reset-offsets and --delete refused while the group is not empty; --list --state.
# compat: needs=groups timeout=120
source "$(dirname "$0")/_lib.sh"

create_topic "$TOPIC" 2
seq 1 10 | sed 's/^/live/' | produce "$TOPIC"
"$KAFKA_TOOL" kafka-console-consumer "${BS[@]}" --topic "$TOPIC" --group "$GROUP" --from-beginning \
  --timeout-ms 90000 >"$W/live.out" 2>"$W/live.err" &
live=$!
trap 'kill "$live" 2>/dev/null || true; rm -rf "$W"' EXIT

cg=(kt kafka-consumer-groups "${BS[@]}")
state=""
for i in $(seq 1 60); do
  state="$("${cg[@]}" --describe --group "$GROUP" --state 2>/dev/null | awk -v g="$GROUP" '$1 == g' || true)"
  [[ "$state" == *Stable* && "$(grep -c '^live' "$W/live.out" || true)" == 10 ]] && break
  sleep 0.5
done
echo "$state"
# GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS
assert_eq "range Stable 1" "$(awk '{print $(NF-2), $(NF-1), $NF}' <<<"$state")" "--describe --state (strategy, state, members)"
assert_eq 10 "$(grep -c '^live' "$W/live.out" || true)" "records read by the live consumer"

out="$("${cg[@]}" --describe --group "$GROUP" --members --verbose)"
echo "$out"
row="$(awk -v g="$GROUP" '$1 == g' <<<"$out")"
assert_eq 1 "$(grep -c . <<<"$row")" "--members rows"
member="$(awk '{print $2}' <<<"$row")"
[[ "$member" == console-consumer-* ]] || fail "--members: member id '$member'"
assert_contains "$row" "$TOPIC:0,1" "--members --verbose assignment"

# Offsets rows carry the owner; the console consumer commits automatically (auto.commit.interval.ms 5 s).
for i in $(seq 1 30); do
  out="$("${cg[@]}" --describe --group "$GROUP")"
  rows="$(awk -v t="$TOPIC" '$2 == t' <<<"$out")"
  [[ "$(awk '{s += $4} END {print s + 0}' <<<"$rows")" == 10 ]] && break
  sleep 0.5
done
echo "$out"
assert_eq "10 10 0" "$(awk '{c += $4; e += $5; l += $6} END {print c, e, l}' <<<"$rows")" "--describe current/log-end/lag while live"
assert_eq "$member $member" "$(awk '{print $7}' <<<"$rows" | tr '\n' ' ' | sed 's/ $//')" "--describe CONSUMER-ID per partition"

out="$(kt kafka-consumer-groups "${BS[@]}" --reset-offsets --to-earliest --execute --group "$GROUP" --topic "$TOPIC" 2>&1)"
assert_contains "$out" "Assignments can only be reset if the group '$GROUP' is inactive, but the current state is Stable." "--reset-offsets on a live group"
out="$(kt kafka-consumer-groups "${BS[@]}" --delete --group "$GROUP" 2>&1)"
assert_contains "$out" "GroupNotEmptyException" "--delete on a live group"

out="$("${cg[@]}" --list --state)"
assert_eq "Stable" "$(awk -v g="$GROUP" '$1 == g {print $2}' <<<"$out")" "--list --state"

kill "$live" 2>/dev/null || true
wait "$live" 2>/dev/null || true
echo "ok: live group described, reset/delete refused while Stable"
