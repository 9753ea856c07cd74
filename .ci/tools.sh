# Shared by .ci/serve, .ci/test and .ci/bench: installs what a fresh machine lacks, quickly
# skipping what is already there. Nothing comes from GitHub (unreachable here): crates from
# crates.io, build tools from npm, everything else from Debian packages.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_build_tools() {
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # `cargo xtask build` runs wasm-split and wasm-bindgen from their crates, and three tools
  # from npm, pinned by .ci/npm-tools/package-lock.json and found by the build program here:
  # binaryen for wasm-opt (Debian's version 108 rewrites wasm-bindgen's reference-type tables
  # into a module that fails at load time), esbuild (JS minifier) and lightningcss (CSS).
  local npm_dir="$ROOT/target/tools/npm"
  if ! cmp -s "$ROOT/.ci/npm-tools/package-lock.json" "$npm_dir/package-lock.json"; then
    log "installing wasm-opt, esbuild and lightningcss (npm)"
    rm -rf "$npm_dir" && mkdir -p "$npm_dir"
    cp "$ROOT/.ci/npm-tools/package.json" "$ROOT/.ci/npm-tools/package-lock.json" "$npm_dir/"
    (cd "$npm_dir" && npm ci --silent --no-audit --no-fund >&2)
  fi
}

ensure_test_tools() {
  # oathtool and ssh-keygen check the product against independent implementations;
  # aiosmtpd is the mail server the mail tests send to; openssl makes their TLS certificates.
  apt_install chromium oathtool curl openssh-client python3-aiosmtpd openssl
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ]; then
    log "installing the browser-test packages (npm ci)"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund)
  fi
}

# Starts the machine's PostgreSQL when none answers, and prints a URL of a role that may
# create the throwaway databases the tests use.
ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if ! command -v pg_ctlcluster >/dev/null; then apt_install postgresql; fi
    local version
    version="$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)"
    if [ -z "$version" ]; then apt_install postgresql; version="$(ls /etc/postgresql | sort -n | tail -1)"; fi
    log "starting PostgreSQL $version"
    # A cluster that was stopped uncleanly replays and fsyncs its data before it accepts
    # connections, which can take minutes on a large data folder: wait for it rather than
    # give up at pg_ctl's default 60 s.
    as_root pg_ctlcluster "$version" main start -- -t 900 >&2 || true
    local waited=0
    until pg_isready -q -h 127.0.0.1 -p 5432; do
      if [ "$waited" -ge 900 ]; then die "PostgreSQL $version did not accept connections within 900 s"; fi
      if [ $((waited % 30)) -eq 0 ]; then log "waiting for PostgreSQL to finish starting ($waited s)"; fi
      sleep 1; waited=$((waited + 1))
    done
  fi
  # pg_signal_backend: a test's DROP DATABASE ... WITH (FORCE) must also end an autovacuum
  # worker that happens to be in that database, and those belong to no role, so without it
  # the drop fails with "must be a member of the role whose process is being terminated".
  as_root su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"DO \\\$\\\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tessera_test') THEN
        CREATE ROLE tessera_test LOGIN CREATEDB PASSWORD 'tessera_test';
      END IF;
      GRANT pg_signal_backend TO tessera_test;
      END \\\$\\\$;\"" >/dev/null
  echo "postgres://tessera_test:tessera_test@127.0.0.1:5432/postgres"
}

# Drops the databases earlier test runs created.
drop_test_databases() {
  # One session for all of them: a cluster can hold thousands after interrupted runs.
  as_root su postgres -c "psql -q -v ON_ERROR_STOP=1" >/dev/null <<'SQL'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname)
FROM pg_database WHERE datname LIKE 'tessera\_test\_%'
\gexec
SQL
}

# Brotli and gzip copies of the built JS, WASM and CSS; the server sends them as they are to
# browsers that accept them, instead of compressing on every request.
# A site folder other than target/site may be given.
precompress_site() {
  local site="${1:-$ROOT/target/site}"
  apt_install brotli
  for f in "$site"/pkg/*.wasm "$site"/pkg/*.js "$site"/pkg/*.css; do
    [ -f "$f" ] || continue
    brotli -f -k -q 11 "$f"
    gzip -f -k -9 "$f"
  done
}
