# Helpers for the franz-go scenarios (sourced): `compat_go SUBCOMMAND...` builds compat-tests/go if needed
# (_build.sh) and runs it.
set -euo pipefail
: "${BOOTSTRAP:?BOOTSTRAP must be set (host:port)}"
: "${TOPIC:?TOPIC must be set}"

compat_go() {
  local bin
  bin="$(bash "$(dirname "${BASH_SOURCE[0]}")/_build.sh")" || exit 1
  "$bin" "$@"
}
