# Sourced by the Kafka shell wrappers: one place for the version and the cache layout.
# (compat-tests/kafka/kafka.mjs mirrors these defaults.)
KAFKA_VERSION="${KAFKA_VERSION:-4.3.1}"
COMPAT_CACHE="${COMPAT_CACHE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache}"
KAFKA_LIBS="$COMPAT_CACHE/kafka-$KAFKA_VERSION/libs"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
