#!/usr/bin/env bash
# Resolve Apache Kafka (broker + CLI tools) and its runtime dependencies from Maven Central into
# compat-tests/.cache/kafka-<version>/libs. Idempotent: a finished download leaves a .complete marker.
# Prints the libs directory on stdout (everything else goes to stderr).
#
#   KAFKA_VERSION=4.3.1 compat-tests/kafka/fetch.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=compat-tests/kafka/env.sh
source "$here/env.sh"

if [[ -f "$KAFKA_LIBS/.complete" ]]; then
  echo "$KAFKA_LIBS"
  exit 0
fi

command -v mvn >/dev/null || { echo "fetch.sh: mvn not found (apt-get install -y maven)" >&2; exit 1; }
rm -rf "$KAFKA_LIBS"
mkdir -p "$KAFKA_LIBS"
echo "fetch.sh: resolving Apache Kafka $KAFKA_VERSION from Maven Central into $KAFKA_LIBS" >&2
mvn -B -q -f "$here/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >&2
ls "$KAFKA_LIBS"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null
touch "$KAFKA_LIBS/.complete"
echo "$KAFKA_LIBS"
