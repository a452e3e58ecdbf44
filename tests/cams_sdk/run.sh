#!/usr/bin/env bash
# The Alibaba SDK compatibility test (issue 4): the official Python SDK, unmodified and pinned,
# drives the whole migration against a freshly started `wabasim serve --listen 127.0.0.1:0`.
#
# - Installs the pinned SDKs into venvs under target/cams-sdk/ (5.3.1, the current generation,
#   and 1.4.0, which still sends form bodies), reusing them while their lock file is unchanged.
# - Starts the debug binary on a free port and reads the address it prints.
# - Runs cams_sdk_flow.py (with the V2 signer check on), cams_sdk_legacy_probe.py, and the
#   README's Python snippet verbatim (only the address swapped), which must print MIGRATING.
#
# Skips, loudly, only when no Python 3 interpreter exists at all. A Python that cannot make a
# venv or install the pins is a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/cams_sdk
work=target/cams-sdk
mkdir -p "$work"

python=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1 \
    && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)' 2>/dev/null; then
    python="$candidate"
    break
  fi
done
if [ -z "$python" ]; then
  echo "######################################################################" >&2
  echo "# SKIPPED: the Alibaba SDK compatibility test (tests/cams_sdk)        #" >&2
  echo "# needs Python 3.8+, and no python3 was found on PATH. Install Python #" >&2
  echo "# 3 to run it; nothing else in the suite depends on it.               #" >&2
  echo "######################################################################" >&2
  exit 0
fi

# A venv per lock file, rebuilt when the lock changes.
venv_for() {
  local name=$1 lock=$2
  local dir="$work/venv-$name" stamp
  stamp=$("$python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$lock")
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.lock-sha256" 2>/dev/null)" = "$stamp" ]; then
    echo "$dir"
    return
  fi
  rm -rf "$dir"
  echo "cams-sdk: installing $lock into $dir" >&2
  "$python" -m venv "$dir" >&2
  if ! "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock" >"$dir.pip.log" 2>&1; then
    cat "$dir.pip.log" >&2
    echo "cams-sdk: FAIL installing $lock (log above)" >&2
    exit 1
  fi
  echo "$stamp" >"$dir/.lock-sha256"
  echo "$dir"
}
current=$(venv_for 5.3.1 "$here/requirements.lock.txt")
legacy=$(venv_for 1.4.0 "$here/requirements-legacy.lock.txt")

cargo build --quiet --bin wabasim
log="$work/serve.log"
target/debug/wabasim serve --listen 127.0.0.1:0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT

url=""
for _ in $(seq 1 200); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1 || true)
  [ -n "$url" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$log" >&2
    echo "cams-sdk: FAIL wabasim exited before listening" >&2
    exit 1
  fi
  sleep 0.05
done
if [ -z "$url" ]; then
  cat "$log" >&2
  echo "cams-sdk: FAIL wabasim did not print its address" >&2
  exit 1
fi

passed=0
failed=0
run() {
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
run env WABASIM_URL="$url" WABASIM_CAMS_V2=1 "$current/bin/python" "$here/cams_sdk_flow.py"
run env WABASIM_URL="$url" "$legacy/bin/python" "$here/cams_sdk_legacy_probe.py"
readme_snippet() {
  local snippet out
  snippet=$("$python" - "$url" <<'PY'
import sys
readme = open('README.md', encoding='utf-8').read()
section = readme.split('## Alibaba Cloud ChatApp', 1)[1]
code = section.split('```python\n', 1)[1].split('\n```', 1)[0]
print(code.replace('127.0.0.1:8787', sys.argv[1].split('//', 1)[1]))
PY
)
  out=$("$current/bin/python" -c "$snippet") || { echo "FAIL README snippet raised" >&2; return 1; }
  if [ "$out" = "MIGRATING" ]; then
    echo "PASS README snippet: $out"
  else
    echo "FAIL README snippet printed: $out" >&2
    return 1
  fi
}
run readme_snippet
echo "cams-sdk: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
