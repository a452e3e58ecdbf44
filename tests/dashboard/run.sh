#!/usr/bin/env bash
# The dashboard's browser test (issue 20): Debian's headless Chromium, driven by playwright-core
# (npm, pinned by package-lock.json, installed under target/dashboard/ and reused while the
# lock file is unchanged), against a freshly started `wabasim serve --listen 127.0.0.1:0`.
#
# Installs Debian's chromium when it is missing and this is root with apt; skips, loudly, only
# when the browser cannot be installed (or node/npm are absent). A browser that is there but
# fails is a failure. The screenshot goes to target/dashboard.png (docs/dashboard.png is a copy).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/dashboard
work=target/dashboard
chromium=/usr/bin/chromium
mkdir -p "$work"

skip() {
  echo "SKIPPED: dashboard browser test ($1)"
  exit 0
}

if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >"$work/apt.log" 2>&1 ||
      { apt-get update -q >>"$work/apt.log" 2>&1 && apt-get install -y -q chromium >>"$work/apt.log" 2>&1; } ||
      true
  fi
  [ -x "$chromium" ] || skip "chromium cannot be installed"
fi
command -v node >/dev/null && command -v npm >/dev/null || skip "node and npm are not installed"

# playwright-core, exactly as locked; no browser download (it drives the system chromium).
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/playwright-core" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

. tests/support/python.sh
start_wabasim "$work/serve.log" dashboard
# A second server with an admin token, for the page's token prompt.
target/debug/wabasim serve --listen 127.0.0.1:0 --admin-token dashboard-secret >"$work/serve-token.log" 2>&1 &
guarded=$!
trap 'kill "$server" "$guarded" 2>/dev/null || true; wait "$server" "$guarded" 2>/dev/null || true' EXIT
token_url=""
for _ in $(seq 1 200); do
  token_url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve-token.log" | head -n 1 || true)
  [ -n "$token_url" ] && break
  sleep 0.05
done
[ -n "$token_url" ] || { cat "$work/serve-token.log" >&2; echo "dashboard: FAIL the token server did not start" >&2; exit 1; }

WABASIM_URL="$url" WABASIM_TOKEN_URL="$token_url" CHROMIUM="$chromium" DASHBOARD_MODULES="$(pwd)/$work/node_modules" \
  DASHBOARD_SCREENSHOT="$(pwd)/target/dashboard.png" node "$here/dashboard.cjs"
