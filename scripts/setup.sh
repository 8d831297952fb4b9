#!/usr/bin/env bash
# What a fresh Debian machine lacks for the full test suite (npm test), installed only when
# missing: the service binaries (ClickHouse, Redis), gcc + librdkafka-dev for the Kafka mock
# launcher, chromium for the Playwright tests, then the npm dependencies and the launcher build.
# Idempotent, and silent when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }

have_exe() { # have_exe NAME [PATH...]: on PATH or at one of the given paths
  local name=$1
  shift
  command -v "$name" >/dev/null 2>&1 && return 0
  local p
  for p in "$@"; do [ -x "$p" ] && return 0; done
  return 1
}

missing=()
# An explicit override counts as present: whoever set it chose that binary.
if [ -n "${CLICKHOUSE_SERVER_BIN:-}" ]; then :; elif ! have_exe clickhouse-server /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; then missing+=(clickhouse-server); fi
if [ -n "${REDIS_SERVER_BIN:-}" ]; then :; elif ! have_exe redis-server /usr/bin/redis-server; then missing+=(redis-server); fi
[ -f /usr/include/librdkafka/rdkafka_mock.h ] || missing+=(librdkafka-dev)
have_exe "${CC:-gcc}" || missing+=(gcc)
if [ -n "${CHROMIUM_PATH:-}" ]; then :; elif ! have_exe chromium /usr/bin/chromium; then missing+=(chromium); fi

if [ ${#missing[@]} -gt 0 ]; then
  install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo)
  else
    say "missing Debian packages: ${missing[*]}"
    say "run as root:  apt-get update && apt-get install -y ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null
fi

# npm ci wipes node_modules, so run it only when the lockfile changed since the last run here.
# Its `prepare` script builds the TypeScript (dist/).
stamp=node_modules/.l2h-setup-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -d dist ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s\n' "$want" >"$stamp"
fi

# Build the Kafka mock launcher now (the services module would otherwise build it on first use),
# with the same code that checks freshness and explains a failed build.
node --input-type=module -e "
  const { ensureMockLauncher } = await import('./dist/services/kafka/launcher-build.js');
  const { resolveKafkaOptions } = await import('./dist/services/kafka/options.js');
  const { systemClock } = await import('./dist/common/clock.js');
  const { silentLogger } = await import('./dist/common/logger.js');
  try {
    await ensureMockLauncher(resolveKafkaOptions({}, process.env), { logger: silentLogger, env: process.env, clock: systemClock });
  } catch (err) {
    console.error('setup: ' + err.message);
    process.exit(1);
  }
"
