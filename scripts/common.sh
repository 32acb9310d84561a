# Shared by scripts/run and scripts/test: install what is missing, build.
# Sourced, not executed.

PACTUM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Installs the Debian packages of scripts/packages.txt, and any named as
# arguments, that are not installed. A name that an installed package
# provides counts as installed (NodeSource's nodejs provides npm, and
# conflicts with Debian's).
pactum_install_deps() {
  local wanted provided missing=()
  wanted="$(grep -v '^\s*#' "$PACTUM_ROOT/scripts/packages.txt" | tr -s ' \n' ' ') $*"
  provided="$(dpkg-query -W -f='${db:Status-Abbrev}|${Provides}\n' 2>/dev/null |
              awk -F'|' '$1 ~ /^ii/ { n = split($2, a, ","); for (i = 1; i <= n; i++) {
                sub(/^ +/, "", a[i]); sub(/ .*/, "", a[i]); sub(/:any$/, "", a[i]); print a[i] } }')"
  for p in $wanted; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      grep -qxF "$p" <<<"$provided" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  if printf '%s\n' "${missing[@]}" | grep -qx postgresql; then
    # The PostgreSQL server is for the archive tests, which start a cluster
    # of their own on loopback and stop it after: no system-wide cluster
    # that would keep running on port 5432.
    $sudo mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/pactum.conf >/dev/null
  fi
  # Servers the tests need (nginx, PostgreSQL) are started by the tests
  # themselves on loopback and stopped after: the packages' own services
  # must not start (nginx would take port 80). policy-rc.d says so to
  # invoke-rc.d; one that was there before is left alone.
  local policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
  fi
  $sudo apt-get update -q
  local rc=0
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" || rc=$?
  [ -n "$policy" ] && $sudo rm -f "$policy"
  if [ "$rc" -ne 0 ]; then
    return "$rc"
  fi
  # Where systemd runs, the units are only enabled for the next boot: not
  # wanted either.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now nginx.service >/dev/null 2>&1 || true
  fi
}

# Installs the npm tools of the tests, each directory pinned by its
# package-lock.json, when node_modules is missing or older than the lock
# file: tests/openapi (redocly's CLI for openapi.lint), tests/deploy (the
# Kubernetes and Compose validators of deploy.kubernetes_manifests and
# deploy.compose) and tests/web (puppeteer-core for web.browser, which drives
# Debian's chromium: PUPPETEER_SKIP_DOWNLOAD keeps npm from fetching a
# browser). Needs node and npm (scripts/packages.txt).
pactum_install_npm_tools() {
  local dir
  export PUPPETEER_SKIP_DOWNLOAD=1
  for dir in "$PACTUM_ROOT/tests/openapi" "$PACTUM_ROOT/tests/deploy" "$PACTUM_ROOT/tests/web"; do
    if [ -f "$dir/node_modules/.package-lock.json" ] &&
       [ ! "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      continue
    fi
    echo "installing npm tools: $dir (npm ci)" >&2
    npm ci --no-audit --no-fund --prefix "$dir"
  done
}

# Configures and builds into $1 (default build/) in Release; extra args go to cmake.
pactum_build() {
  local dir=${1:-$PACTUM_ROOT/build}
  shift || true
  cmake -S "$PACTUM_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build "$dir" -j"$(nproc)"
}
