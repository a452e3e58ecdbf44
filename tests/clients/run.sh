#!/usr/bin/env bash
# The test helpers (clients/python, clients/node) against the real binary, each with a real
# client library pointed at it (pywa; whatsapp-business). Installs on first use, under target/:
# the pinned venv (tests/clients/requirements.lock.txt) in target/clients/venv, and the Node
# package's locked dependencies (npm ci) in a copy of clients/node at target/clients/node.
# Either part says SKIPPED and passes when its runtime (Python 3.9+, Node 18+ with npm) is absent.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
. tests/support/python.sh
cargo build --quiet --bin wabasim
export WABASIM_BIN="$repo/target/debug/wabasim"

python_helper() {
  if [ -z "$python" ]; then
    echo "SKIPPED: the Python helper's tests (clients/python): no python3 on PATH"
    return
  fi
  local venv
  venv=$(venv_for target/clients/venv tests/clients/requirements.lock.txt clients)
  # Reinstalled every run (a second or two, no download): the tests see the sources as they are.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-build-isolation \
    --no-deps --force-reinstall ./clients/python >target/clients/helper-install.log 2>&1 \
    || { cat target/clients/helper-install.log >&2; echo "clients: FAIL installing clients/python" >&2; exit 1; }
  rm -rf clients/python/build clients/python/src/*.egg-info
  # From the venv, so the plugin comes in through its pytest11 entry point alone.
  "$venv/bin/python" -m pytest -q -p no:cacheprovider clients/python/tests
}

node_helper() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1 \
    || ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)'; then
    echo "SKIPPED: the Node helper's tests (clients/node): no Node 18+ with npm on PATH"
    return
  fi
  local dir=target/clients/node stamp
  mkdir -p "$dir"
  stamp=$(sha256sum clients/node/package-lock.json | cut -d' ' -f1)
  if [ "$(cat "$dir/.lock-sha256" 2>/dev/null)" != "$stamp" ] || [ ! -d "$dir/node_modules" ]; then
    echo "clients: npm ci for clients/node into $dir" >&2
    cp clients/node/package.json clients/node/package-lock.json "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$stamp" >"$dir/.lock-sha256"
  fi
  rm -rf "$dir/src" "$dir/test" "$dir/dist"
  cp -r clients/node/src clients/node/test clients/node/package.json clients/node/tsconfig.*.json \
    clients/node/vitest.config.ts "$dir/"
  (cd "$dir" && npm run --silent build && WABASIM_REPO="$repo" npx vitest run)
}

python_helper
node_helper
