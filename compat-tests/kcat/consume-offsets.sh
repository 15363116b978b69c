#!/usr/bin/env bash
# Consume from the beginning with -e (exit at end): sees exactly what was produced, then more after a second
# produce; consuming from an absolute offset and from the end-relative offset returns the right tail.
source "$(dirname "$0")/_lib.sh"

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
for i in $(seq 0 29); do echo "v$i"; done | kc -P -t "$TOPIC" -p 0 || fail "first produce failed"
wait_topic "$TOPIC"

kc -C -t "$TOPIC" -p 0 -o beginning -e -q -f '%o:%s\n' >"$dir/a" || fail "consume 1 failed"
assert_eq 30 "$(wc -l <"$dir/a")" "records after first produce"
assert_eq "0:v0" "$(head -1 "$dir/a")" "first record"
assert_eq "29:v29" "$(tail -1 "$dir/a")" "last record"

for i in $(seq 30 49); do echo "v$i"; done | kc -P -t "$TOPIC" -p 0 || fail "second produce failed"
kc -C -t "$TOPIC" -p 0 -o beginning -e -q -f '%o:%s\n' >"$dir/b" || fail "consume 2 failed"
assert_eq 50 "$(wc -l <"$dir/b")" "records after second produce"
diff <(for i in $(seq 0 49); do echo "$i:v$i"; done) "$dir/b" >/dev/null || fail "offsets/values not 0..49 in order"

kc -C -t "$TOPIC" -p 0 -o 42 -e -q -f '%o:%s\n' >"$dir/c" || fail "consume from offset 42 failed"
diff <(for i in $(seq 42 49); do echo "$i:v$i"; done) "$dir/c" >/dev/null || fail "consume from offset 42: got $(tr '\n' ' ' <"$dir/c")"

kc -C -t "$TOPIC" -p 0 -o -5 -e -q -f '%o:%s\n' >"$dir/d" || fail "consume last 5 failed"
diff <(for i in $(seq 45 49); do echo "$i:v$i"; done) "$dir/d" >/dev/null || fail "consume -o -5: got $(tr '\n' ' ' <"$dir/d")"

kc -C -t "$TOPIC" -p 0 -o end -e -q -f '%o:%s\n' >"$dir/e" || fail "consume from end failed"
assert_eq 0 "$(wc -l <"$dir/e")" "records consumed from the end"
echo "ok: beginning, absolute, relative and end offsets"
