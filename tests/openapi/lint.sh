#!/bin/sh
# The openapi.lint test: lints the OpenAPI document $1 with redocly's CLI,
# pinned in package-lock.json beside this script, against redocly.yaml
# (redocly's recommended rules and a few stricter ones). Any error fails.
#
# The CLI is not installed here: ./scripts/test installs it first
# (pactum_install_npm_tools in scripts/common.sh: npm ci into node_modules/).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
doc=${1:?usage: lint.sh OPENAPI_DOCUMENT}
cli=$here/node_modules/.bin/redocly

if [ ! -x "$cli" ]; then
  echo "openapi.lint: redocly's CLI is not installed ($here/node_modules is missing)." >&2
  echo "openapi.lint: run ./scripts/test, which installs it (npm ci --prefix tests/openapi)." >&2
  exit 1
fi
if ! command -v node >/dev/null 2>&1; then
  echo "openapi.lint: node is not installed; run ./scripts/test, which installs nodejs and npm." >&2
  exit 1
fi
if [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "openapi.lint: $here/node_modules is older than package-lock.json; run ./scripts/test to reinstall it." >&2
  exit 1
fi

# No usage data sent and no update check: CI has no network beyond the registries.
REDOCLY_TELEMETRY=off
REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export REDOCLY_TELEMETRY REDOCLY_SUPPRESS_UPDATE_NOTICE
exec "$cli" lint --config "$here/redocly.yaml" --format=stylish "$doc"
