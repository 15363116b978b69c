# Helpers for the franz-go scenarios (sourced): builds compat-tests/go into compat-tests/.cache/go/compat-go
# when a source file is newer than the binary, then `compat_go SUBCOMMAND...` runs it.
set -euo pipefail
: "${BOOTSTRAP:?BOOTSTRAP must be set (host:port)}"
: "${TOPIC:?TOPIC must be set}"
GO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
COMPAT_CACHE="${COMPAT_CACHE:-$GO_DIR/../.cache}"
COMPAT_GO="$COMPAT_CACHE/go/compat-go"

build_compat_go() {
  if [[ ! -x "$COMPAT_GO" ]] || [[ -n "$(find "$GO_DIR" -maxdepth 1 \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -newer "$COMPAT_GO")" ]]; then
    mkdir -p "$(dirname "$COMPAT_GO")"
    (cd "$GO_DIR" && go build -o "$COMPAT_GO.tmp.$$" . && mv "$COMPAT_GO.tmp.$$" "$COMPAT_GO") ||
      { echo "FAIL: go build of compat-tests/go failed" >&2; exit 1; }
  fi
}

compat_go() {
  build_compat_go
  "$COMPAT_GO" "$@"
}
