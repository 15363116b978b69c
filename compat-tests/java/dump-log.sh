#!/usr/bin/env bash
# kafka-dump-log reads the broker's own segment file (LOG_DIRS/<topic>-0/00000000000000000000.log):
# batches valid (CRC), offsets, codec, producer id/sequence, keys, headers, payloads as produced.
# compat: timeout=60
source "$(dirname "$0")/_lib.sh"
: "${LOG_DIRS:?LOG_DIRS must be set to the log.dirs of the broker}"

create_topic "$TOPIC" 1
for ((i = 0; i < 5; i++)); do printf 'h:x%d\tk%d\tplain-%d\n' "$i" "$i" "$i"; done |
  produce "$TOPIC" --reader-property parse.key=true --reader-property parse.headers=true
for ((i = 5; i < 10; i++)); do printf 'h:x%d\tk%d\tgzipped-%d\n' "$i" "$i" "$i"; done |
  produce "$TOPIC" --reader-property parse.key=true --reader-property parse.headers=true --compression-codec gzip
seg="$LOG_DIRS/$TOPIC-0/00000000000000000000.log"
[[ -f "$seg" ]] || fail "no segment file $seg (have: $(ls "$LOG_DIRS/$TOPIC-0" 2>&1 | tr '\n' ' '))"

out="$(kt kafka-dump-log --files "$seg" --print-data-log)"
echo "$out"
assert_contains "$out" "Log starting offset: 0" "dump-log header"
batches="$(grep -E '^baseOffset:' <<<"$out")"
assert_eq 2 "$(wc -l <<<"$batches")" "batches in the segment"
assert_eq 0 "$(grep -vc 'isvalid: true' <<<"$batches")" "batches with a bad CRC"
b1="$(sed -n 1p <<<"$batches")"
b2="$(sed -n 2p <<<"$batches")"
assert_contains "$b1" "baseOffset: 0 lastOffset: 4 count: 5" "batch 1"
assert_contains "$b1" "compresscodec: none" "batch 1 codec"
assert_contains "$b1" "magic: 2" "batch 1 magic"
assert_contains "$b1" "baseSequence: 0 lastSequence: 4" "batch 1 sequences (idempotent producer)"
assert_contains "$b2" "baseOffset: 5 lastOffset: 9 count: 5" "batch 2"
assert_contains "$b2" "compresscodec: gzip" "batch 2 codec"
grep -qE 'producerId: [0-9]+ producerEpoch: [0-9]+' <<<"$b1" || fail "batch 1 has no producer id: $b1"
pos2="$(sed -E 's/.*position: ([0-9]+).*/\1/' <<<"$b2")"
size1="$(sed -E 's/.* size: ([0-9]+).*/\1/' <<<"$b1")"
assert_eq "$size1" "$pos2" "batch 2 position = batch 1 size"
recs="$(grep -E '^\| offset:' <<<"$out")"
assert_eq 10 "$(wc -l <<<"$recs")" "records dumped"
for i in 0 4 5 9; do
  line="$(grep -E "^\| offset: $i " <<<"$recs")"
  want="plain-$i"
  ((i >= 5)) && want="gzipped-$i"
  assert_contains "$line" "headerKeys: [h] key: k$i payload: $want" "record $i"
done
echo "ok: dump-log reads both batches"
