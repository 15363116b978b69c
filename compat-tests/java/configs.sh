#!/usr/bin/env bash
# kafka-configs on a topic: --describe (dynamic, --all with defaults), --alter --add-config,
# --alter --delete-config; kafka-topics --describe reflects the change.
# compat: needs=configs timeout=90
source "$(dirname "$0")/_lib.sh"

create_topic "$TOPIC" 1
cfg=(kt kafka-configs "${BS[@]}" --entity-type topics --entity-name "$TOPIC")

out="$("${cfg[@]}" --describe)"
assert_contains "$out" "Dynamic configs for topic $TOPIC are:" "--describe (no dynamic configs yet)"
assert_not_contains "$out" "retention.ms=" "--describe before --alter"

out="$("${cfg[@]}" --alter --add-config 'retention.ms=12345,max.message.bytes=100000,cleanup.policy=[compact,delete]')"
assert_contains "$out" "Completed updating config for topic $TOPIC." "--alter --add-config"
out="$("${cfg[@]}" --describe)"
echo "$out"
assert_contains "$out" "retention.ms=12345 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=12345" "--describe after --add-config"
assert_contains "$out" "max.message.bytes=100000 sensitive=false" "--describe after --add-config"
assert_contains "$out" "cleanup.policy=compact,delete sensitive=false" "--describe after --add-config (list value)"

out="$(kt kafka-topics "${BS[@]}" --describe --topic "$TOPIC")"
assert_contains "$out" "retention.ms=12345" "kafka-topics --describe Configs after --alter"

out="$("${cfg[@]}" --alter --delete-config retention.ms,cleanup.policy)"
assert_contains "$out" "Completed updating config for topic $TOPIC." "--alter --delete-config"
out="$("${cfg[@]}" --describe)"
assert_not_contains "$out" "retention.ms=" "--describe after --delete-config"
assert_not_contains "$out" "cleanup.policy=" "--describe after --delete-config"
assert_contains "$out" "max.message.bytes=100000" "--describe after --delete-config keeps the other config"

# --all: every topic config with its effective value; deleted ones fall back to the broker default.
out="$("${cfg[@]}" --describe --all)"
assert_contains "$out" "All configs for topic $TOPIC are:" "--describe --all"
assert_contains "$out" "retention.ms=604800000 sensitive=false" "--describe --all retention.ms default"
assert_contains "$out" "cleanup.policy=delete sensitive=false" "--describe --all cleanup.policy default"
assert_contains "$out" "max.message.bytes=100000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:max.message.bytes=100000" "--describe --all dynamic value"
n="$(grep -cE '^\s+[a-z0-9.]+=.* sensitive=' <<<"$out")"
((n >= 25)) || fail "--describe --all lists only $n configs"

# An unknown config name is refused.
kt_may_fail kafka-configs "${BS[@]}" --entity-type topics --entity-name "$TOPIC" --alter --add-config no.such.config=1 >"$W/bad"
((KT_RC != 0)) || fail "--add-config no.such.config=1 succeeded"
grep -qE 'InvalidConfigurationException|Unknown topic config name|InvalidRequestException' "$W/bad" || { cat "$W/bad"; fail "unknown config: unexpected error"; }
echo "ok: describe/add-config/delete-config/--all"
