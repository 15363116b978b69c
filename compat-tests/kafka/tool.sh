#!/usr/bin/env bash
# Run an Apache Kafka CLI tool from the cached jars (no Kafka distribution needed):
#   compat-tests/kafka/tool.sh kafka-topics --bootstrap-server 127.0.0.1:9092 --list
# Tool names are those of Kafka's bin/*.sh scripts; a fully qualified main class also works.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"

tool="${1:?usage: tool.sh <tool-name|main.Class> [args...]}"
shift
case "$tool" in
  kafka-storage)               cls=kafka.tools.StorageTool ;;
  kafka-server-start)          cls=kafka.Kafka ;;
  kafka-topics)                cls=org.apache.kafka.tools.TopicCommand ;;
  kafka-console-producer)      cls=org.apache.kafka.tools.ConsoleProducer ;;
  kafka-console-consumer)      cls=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  kafka-consumer-groups)       cls=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  kafka-configs)               cls=kafka.admin.ConfigCommand ;;
  kafka-get-offsets)           cls=org.apache.kafka.tools.GetOffsetShell ;;
  kafka-delete-records)        cls=org.apache.kafka.tools.DeleteRecordsCommand ;;
  kafka-log-dirs)              cls=org.apache.kafka.tools.LogDirsCommand ;;
  kafka-producer-perf-test)    cls=org.apache.kafka.tools.ProducerPerformance ;;
  kafka-consumer-perf-test)    cls=org.apache.kafka.tools.ConsumerPerformance ;;
  kafka-dump-log)              cls=org.apache.kafka.tools.DumpLogSegments ;;
  kafka-broker-api-versions)   cls=org.apache.kafka.tools.BrokerApiVersionsCommand ;;
  kafka-transactions)          cls=org.apache.kafka.tools.TransactionsCommand ;;
  kafka-acls)                  cls=org.apache.kafka.tools.AclCommand ;;
  kafka-features)              cls=org.apache.kafka.tools.FeatureCommand ;;
  kafka-metadata-quorum)       cls=org.apache.kafka.tools.MetadataQuorumCommand ;;
  kafka-groups)                cls=org.apache.kafka.tools.GroupsCommand ;;
  kafka-leader-election)       cls=org.apache.kafka.tools.LeaderElectionCommand ;;
  kafka-reassign-partitions)   cls=org.apache.kafka.tools.reassign.ReassignPartitionsCommand ;;
  *.*)                         cls="$tool" ;;
  *) echo "tool.sh: unknown tool '$tool'" >&2; exit 2 ;;
esac

[[ -f "$KAFKA_LIBS/.complete" ]] || "$here/fetch.sh" >/dev/null

# Tools log WARN and above to stderr; their output stays on stdout.
log4j="${TMPDIR:-/tmp}/brook-compat-tools-log4j2.properties"
if [[ ! -f "$log4j" ]]; then
  cat >"$log4j.$$" <<'LOG'
status = error
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = ERR
LOG
  mv "$log4j.$$" "$log4j"
fi

exec $JAVA -Xmx"${KAFKA_TOOL_HEAP:-256m}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$log4j" ${KAFKA_TOOL_OPTS:-} -cp "$KAFKA_LIBS/*" "$cls" "$@"
