#!/usr/bin/env bash
# Build compat-tests/go into $COMPAT_CACHE/go/compat-go (default compat-tests/.cache) when a source file is
# newer than the binary. Modules come from the Go module proxy (go.sum pins them). Prints the binary's path.
set -euo pipefail
GO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
COMPAT_CACHE="${COMPAT_CACHE:-$GO_DIR/../.cache}"
COMPAT_GO="$COMPAT_CACHE/go/compat-go"
if [[ ! -x "$COMPAT_GO" ]] || [[ -n "$(find "$GO_DIR" -maxdepth 1 \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -newer "$COMPAT_GO")" ]]; then
  command -v go >/dev/null || { echo "FAIL: go not installed" >&2; exit 1; }
  mkdir -p "$(dirname "$COMPAT_GO")"
  (cd "$GO_DIR" && go build -trimpath -o "$COMPAT_GO.tmp.$$" . && mv "$COMPAT_GO.tmp.$$" "$COMPAT_GO") ||
    { rm -f "$COMPAT_GO.tmp.$$"; echo "FAIL: go build of compat-tests/go failed" >&2; exit 1; }
fi
echo "$COMPAT_GO"
