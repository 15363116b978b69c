#!/usr/bin/env bash
# Transactions seen by the tools: kafka-producer-perf-test with --transactional-id commits every 200 ms;
# kafka-transactions list / describe / describe-producers show it; a read_committed console consumer reads
# every record; the log end is past the record count (commit markers).
# compat: needs=transactions timeout=120
source "$(dirname "$0")/_lib.sh"

create_topic "$TOPIC" 1
txid="$TOPIC-txid"
out="$(kt kafka-producer-perf-test --topic "$TOPIC" --num-records 3000 --record-size 50 --throughput 6000 \
  --transactional-id "$txid" --transaction-duration-ms 150 "${BS[@]}")"
last="$(tail -1 <<<"$out")"
[[ "$last" =~ ^3000\ records\ sent ]] || fail "producer-perf-test summary: $last"
end="$(sum_offsets "$TOPIC")"
((end > 3000)) || fail "log end offset $end: expected > 3000 (records + commit markers)"

out="$(kt kafka-transactions "${BS[@]}" list)"
echo "$out"
row="$(awk -v t="$txid" '$1 == t' <<<"$out")"
[[ -n "$row" ]] || fail "kafka-transactions list lacks $txid"
pid="$(awk '{print $3}' <<<"$row")"
assert_eq CompleteCommit "$(awk '{print $4}' <<<"$row")" "kafka-transactions list: state of $txid"

out="$(kt kafka-transactions "${BS[@]}" describe --transactional-id "$txid")"
echo "$out"
# CoordinatorId TransactionalId ProducerId ProducerEpoch TransactionState CurrentTransactionStartTimeMs TransactionDurationMs TopicPartitions
row="$(awk -v t="$txid" '$2 == t' <<<"$out")"
[[ -n "$row" ]] || fail "kafka-transactions describe printed no row for $txid"
assert_eq "$pid CompleteCommit" "$(awk '{print $3, $5}' <<<"$row")" "describe: producer id and state"

out="$(kt kafka-transactions "${BS[@]}" describe-producers --topic "$TOPIC" --partition 0)"
echo "$out"
# ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence LastTimestamp CurrentTransactionStartOffset
prow="$(awk -v p="$pid" '$1 == p' <<<"$out")"
[[ -n "$prow" ]] || fail "describe-producers lacks producer $pid"
assert_eq "None" "$(awk '{print $6}' <<<"$prow")" "describe-producers: no open transaction"

out="$(kt kafka-console-consumer "${BS[@]}" --topic "$TOPIC" --from-beginning --isolation-level read_committed \
  --max-messages 3000 --timeout-ms 30000 2>&1)"
assert_contains "$out" "Processed a total of 3000 messages" "read_committed console consumer"
echo "ok: transactional perf producer, kafka-transactions list/describe/describe-producers, read_committed"
