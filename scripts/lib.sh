# shellcheck shell=bash
# Shared shell functions for scripts/test and scripts/serve. Source it; do not run it.
#
# Everything here is idempotent and cheap when the machine is already set up: installs are skipped
# by stamp files holding the sha256 of what they were made from, so a second run costs seconds.
#
# Environment:
#   DBSTUDIO_NO_INSTALL=1   report what would be installed or started instead of doing it.

# The repository root: the parent of this file's directory, whatever the caller's working directory.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
PY="$VENV/bin/python"

# --- messages -------------------------------------------------------------------------------------

_START_SECONDS=$SECONDS

# A visible header per stage, with the time since the script started, so slow stages stand out.
section() { printf '\n==> %s  [+%ds]\n' "$*" "$((SECONDS - _START_SECONDS))"; }
say() { printf '    %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
  printf '\nERROR: %s\n' "$*" >&2
  exit 1
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# --- Debian packages --------------------------------------------------------------------------------

# We only install system packages as root on a Debian-like machine (containers, CI); anywhere else
# the developer gets told what to install, because sudo prompts and other package managers are theirs.
can_apt_install() { [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; }

_APT_UPDATED=""

# apt_install WHY PACKAGE... : install Debian packages, or explain and exit when we must not.
apt_install() {
  local why=$1
  shift
  if [[ ${DBSTUDIO_NO_INSTALL:-} == 1 ]]; then
    die "$why. DBSTUDIO_NO_INSTALL=1, so not running: apt-get install -y $*"
  fi
  if ! can_apt_install; then
    die "$why. Install it with your package manager (Debian/Ubuntu: sudo apt-get install $*), then run this again."
  fi
  say "$why: apt-get install $*"
  # Lock timeouts: another apt (a parallel session, unattended-upgrades) may hold the lock for a while.
  if [[ -z $_APT_UPDATED ]]; then
    apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null
    _APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600 install "$@" >/dev/null
}

# --- Python -----------------------------------------------------------------------------------------

# ensure_venv dev|base : .venv exists and has the project installed editable (with the dev extra if asked).
# The stamp holds pyproject.toml's sha256 and which extra was installed; a dev install serves both.
ensure_venv() {
  local extra=$1 stamp="$VENV/.dbstudio-install-stamp" want have
  if [[ -x $PY ]] && ! "$PY" -c '' 2>/dev/null; then
    # The interpreter the venv was made from is gone (e.g. a Python upgrade): start over.
    warn ".venv is broken; recreating it"
    rm -rf "$VENV"
  fi
  if [[ ! -x $PY ]]; then
    command -v python3 >/dev/null || apt_install "python3 is missing" python3 python3-venv
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
      die "DB Studio needs Python 3.11 or newer; python3 is $(python3 --version 2>&1)"
    say "creating .venv"
    if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
      # Debian splits venv/ensurepip into python3-venv; without it `python3 -m venv` fails half-way.
      rm -rf "$VENV"
      apt_install "python3 -m venv failed (Debian ships it separately)" python3-venv
      python3 -m venv "$VENV"
    fi
  fi
  want="$(sha256_of "$REPO_ROOT/pyproject.toml")"
  have="$(cat "$stamp" 2>/dev/null || true)"
  if [[ $have == "$want dev" || $have == "$want $extra" ]]; then
    return 0
  fi
  local spec="."
  [[ $extra == dev ]] && spec=".[dev]"
  say "installing the project into .venv: pip install -e '$spec' (pyproject.toml changed or first run)"
  # The machine's pip config may name local wheel folders that do not exist; pip warns once per
  # package about each, which buries real errors, so those lines are dropped.
  (cd "$REPO_ROOT" && "$PY" -m pip install -q --disable-pip-version-check -e "$spec") \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2 || true)
  echo "$want $extra" >"$stamp"
}

# --- Node.js and the front end ---------------------------------------------------------------------

FRONTEND="$REPO_ROOT/frontend"
MANIFEST="$REPO_ROOT/static/dist/.vite/manifest.json"

has_frontend() { [[ -f $FRONTEND/package.json ]]; }

# Node 18 is the oldest that Vite and our tooling run on; Debian 12 ships 18.
ensure_node() {
  if ! command -v node >/dev/null ||
    ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)'; then
    apt_install "Node.js 18 or newer is needed to build the front end (found: $(node --version 2>/dev/null || echo none))" nodejs npm
  fi
  # Only npm alone: installing Debian's npm next to a nodesource nodejs (which bundles npm) conflicts.
  command -v npm >/dev/null || apt_install "npm is missing" npm
}

# ensure_npm_deps DIR : npm ci in DIR when node_modules is missing or package-lock.json changed since.
ensure_npm_deps() {
  local dir=$1 stamp="$1/node_modules/.dbstudio-lock-stamp" want log
  local name=${dir#"$REPO_ROOT/"}
  if [[ ! -f $dir/package-lock.json ]]; then
    warn "$name/package-lock.json is missing; using npm install (commit the lock file it writes)"
    (cd "$dir" && npm install --no-audit --no-fund) || die "npm install failed in $name/"
    return
  fi
  want="$(sha256_of "$dir/package-lock.json")"
  if [[ -d $dir/node_modules && "$(cat "$stamp" 2>/dev/null || true)" == "$want" ]]; then
    return 0
  fi
  say "npm ci in $name/ (node_modules missing or package-lock.json changed)"
  log="$(mktemp)"
  if ! (cd "$dir" && npm ci --no-audit --no-fund >"$log" 2>&1); then
    # The npm registry reachable from our machines lacks other platforms' optional packages (e.g.
    # @rollup/rollup-darwin-x64), so a lock written here omits them, and npm ci then refuses it as
    # "out of sync". npm install still installs the locked versions; --no-save leaves the lock alone.
    grep -m3 -E '^npm error (Missing|code)' "$log" | sed 's/^/    /' || true
    warn "npm ci refused $name/package-lock.json (above); falling back to npm install --no-save"
    (cd "$dir" && npm install --no-save --no-audit --no-fund) || die "npm install failed in $name/"
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
}

# True when the built assets are missing or any front-end source is newer than the Vite manifest.
frontend_is_stale() {
  [[ ! -f $MANIFEST ]] && return 0
  [[ -n "$(find "$FRONTEND" -path "$FRONTEND/node_modules" -prune -o -type f -newer "$MANIFEST" -print -quit)" ]]
}

# Build static/dist when it is out of date; skipping an up-to-date build keeps local loops quick.
# Returns npm's status, so the caller decides whether a failed build stops it.
build_frontend_if_stale() {
  if frontend_is_stale; then
    say "npm run build (static/dist missing or older than frontend/)"
    (cd "$FRONTEND" && npm run --silent build)
  else
    say "static/dist is up to date with frontend/"
  fi
}
