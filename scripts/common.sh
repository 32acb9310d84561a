# Shared by scripts/run and scripts/test: install what is missing, build.
# Sourced, not executed.

PACTUM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Installs the Debian packages of scripts/packages.txt, and any named as
# arguments, that are not installed.
pactum_install_deps() {
  local wanted missing=()
  wanted="$(grep -v '^\s*#' "$PACTUM_ROOT/scripts/packages.txt" | tr -s ' \n' ' ') $*"
  for p in $wanted; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
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
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Configures and builds into $1 (default build/) in Release; extra args go to cmake.
pactum_build() {
  local dir=${1:-$PACTUM_ROOT/build}
  shift || true
  cmake -S "$PACTUM_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build "$dir" -j"$(nproc)"
}
