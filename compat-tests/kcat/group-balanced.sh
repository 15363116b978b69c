#!/usr/bin/env bash
# compat: needs=groups timeout=90
# kcat -G (balanced consumer): a member reads every message and commits as it goes; after it stops
# (LeaveGroup on close) a new member of the group reads only what was produced after the commits; a
# third member joining forces a rebalance, after which the group still reads every new message once.
source "$(dirname "$0")/_lib.sh"

dir="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

member() { # output file: starts a kcat group member in the background, records its pid
  kcat -b "$BOOTSTRAP" -X api.version.request=true -X socket.timeout.ms=10000 \
    -X session.timeout.ms=10000 -X heartbeat.interval.ms=500 -X auto.offset.reset=earliest \
    -X enable.auto.commit=true -X auto.commit.interval.ms=200 \
    -G "$GROUP" -u -q -f '%p\t%o\t%s\n' "$TOPIC" >"$1" 2>"$1.err" &
  pids+=($!)
}

wait_lines() { # file count what
  local until=$((SECONDS + 40))
  while ((SECONDS < until)); do
    [[ $(wc -l <"$1") -ge $2 ]] && return 0
    sleep 0.2
  done
  fail "$3: $(wc -l <"$1") of $2 records within 40 s ($(tail -c 300 "$1.err" 2>/dev/null | tr '\n' ' '))"
}

stop() { # pid: SIGTERM (kcat closes the consumer: final commit, LeaveGroup) and wait
  kill -TERM "$1"
  wait "$1" 2>/dev/null || true
}

for i in $(seq 0 99); do echo "first-$i"; done | kc -P -t "$TOPIC" || fail "first produce failed"
wait_topic "$TOPIC"

member "$dir/a"
a=${pids[-1]}
wait_lines "$dir/a" 100 "member A"
sleep 1 # a last auto-commit
stop "$a"
assert_eq 100 "$(wc -l <"$dir/a")" "records read by member A"
diff <(for i in $(seq 0 99); do echo "first-$i"; done | sort) <(cut -f3 "$dir/a" | sort) >/dev/null || fail "member A: values differ from the produced ones"

for i in $(seq 0 49); do echo "second-$i"; done | kc -P -t "$TOPIC" || fail "second produce failed"
member "$dir/b"
b=${pids[-1]}
wait_lines "$dir/b" 50 "member B (after A's commits)"
sleep 1
assert_eq 50 "$(wc -l <"$dir/b")" "records read by member B: the committed offsets were not honoured"
grep -q 'first-' "$dir/b" && fail "member B re-read records member A had committed"

# A third member joins: the group rebalances; the new messages are read once by the group.
member "$dir/c"
c=${pids[-1]}
sleep 3
for i in $(seq 0 19); do echo "third-$i"; done | kc -P -t "$TOPIC" || fail "third produce failed"
until=$((SECONDS + 40))
while ((SECONDS < until)) && (($(cat "$dir/b" "$dir/c" | grep -c 'third-') < 20)); do sleep 0.2; done
assert_eq 20 "$(cat "$dir/b" "$dir/c" | grep -c 'third-')" "third-* records read by members B and C together"
assert_eq 20 "$(cat "$dir/b" "$dir/c" | grep 'third-' | cut -f3 | sort -u | wc -l)" "distinct third-* records"
stop "$b"
stop "$c"
echo "ok: kcat -G read everything, resumed from committed offsets, rebalanced on a join"
