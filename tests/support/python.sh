# Shared by the Python client-library tests (tests/graph_clients, tests/cams_sdk): find a
# Python, build a venv per pinned lock file (reused while the lock is unchanged), and start
# `wabasim serve --listen 127.0.0.1:0` reading the address it prints.
#
# Source it from the repository root; it sets `python` (empty when there is none).

python=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1 \
    && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
    python="$candidate"
    break
  fi
done

# skip_without_python LABEL: exits 0 with a loud banner when there is no Python.
skip_without_python() {
  if [ -z "$python" ]; then
    echo "######################################################################" >&2
    echo "# SKIPPED: $1 needs Python 3.9+, and no python3 was found on PATH." >&2
    echo "# Install Python 3 to run it; nothing else in the suite depends on it." >&2
    echo "######################################################################" >&2
    echo "SKIPPED: $1 (no python3 on PATH)"
    exit 0
  fi
}

# venv_for DIR LOCK LABEL: prints the venv's directory, installing LOCK into it if needed.
venv_for() {
  local dir=$1 lock=$2 label=$3 stamp
  stamp=$("$python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$lock")
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.lock-sha256" 2>/dev/null)" = "$stamp" ]; then
    echo "$dir"
    return
  fi
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  echo "$label: installing $lock into $dir" >&2
  "$python" -m venv "$dir" >&2
  if ! "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock" >"$dir.pip.log" 2>&1; then
    cat "$dir.pip.log" >&2
    echo "$label: FAIL installing $lock (log above)" >&2
    exit 1
  fi
  echo "$stamp" >"$dir/.lock-sha256"
  echo "$dir"
}

# start_wabasim LOG LABEL: builds and starts the debug binary on a free port; sets `url` and
# `server`, and stops the server when the script exits.
start_wabasim() {
  local log=$1 label=$2
  cargo build --quiet --bin wabasim
  target/debug/wabasim serve --listen 127.0.0.1:0 >"$log" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
  url=""
  for _ in $(seq 1 200); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1 || true)
    [ -n "$url" ] && return
    if ! kill -0 "$server" 2>/dev/null; then
      cat "$log" >&2
      echo "$label: FAIL wabasim exited before listening" >&2
      exit 1
    fi
    sleep 0.05
  done
  cat "$log" >&2
  echo "$label: FAIL wabasim did not print its address" >&2
  exit 1
}
