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

. tests/support/python.sh
skip_without_python "the Alibaba SDK compatibility test (tests/cams_sdk)"
current=$(venv_for "$work/venv-5.3.1" "$here/requirements.lock.txt" cams-sdk)
legacy=$(venv_for "$work/venv-1.4.0" "$here/requirements-legacy.lock.txt" cams-sdk)
start_wabasim "$work/serve.log" cams-sdk

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
