# Run ClientProgram.java with one kafka-clients version (sourced by client-4x.sh / client-3x.sh after setting
# CLIENT_LIBS, the directory of its jars).
set -euo pipefail
: "${BOOTSTRAP:?}" "${TOPIC:?}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log4j="$(mktemp --suffix=.properties)"
trap 'rm -f "$log4j"' EXIT
cat >"$log4j" <<'LOG'
status = error
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = ERR
LOG
java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$log4j" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CLIENT_LIBS/*" "$here/ClientProgram.java"
