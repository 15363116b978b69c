#!/usr/bin/env bash
# Resolve kafka-clients $CLIENTS_VERSION (default 3.9.1) and its dependencies from Maven Central into
# compat-tests/.cache/kafka-clients-<version>/ once (a .complete marker); prints that directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLIENTS_VERSION="${CLIENTS_VERSION:-3.9.1}"
COMPAT_CACHE="${COMPAT_CACHE:-$here/../.cache}"
dir="$COMPAT_CACHE/kafka-clients-$CLIENTS_VERSION"
if [[ ! -f "$dir/.complete" ]]; then
  command -v mvn >/dev/null || { echo "_fetch-clients.sh: mvn not found (apt-get install -y maven)" >&2; exit 1; }
  rm -rf "$dir"
  mkdir -p "$dir"
  mvn -B -q -f "$here/pom.xml" -Dclients.version="$CLIENTS_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir" >&2
  ls "$dir/kafka-clients-$CLIENTS_VERSION.jar" >/dev/null
  touch "$dir/.complete"
fi
echo "$dir"
