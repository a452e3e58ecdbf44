#!/usr/bin/env bash
# The container image (Dockerfile): builds it, runs it, waits for its HEALTHCHECK to say
# healthy, and runs the README's quick start against the published port. Needs a running
# container engine (`docker info`); without one it says SKIPPED and passes, so CI's normal path
# never compiles the release build inside a container it cannot run.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "SKIPPED: container smoke test (no container engine)"
  exit 0
fi
image=wabasim:smoke-test
docker build --quiet -t "$image" . >/dev/null
container=$(docker run -d --rm -p 127.0.0.1::8787 "$image")
trap 'docker rm -f "$container" >/dev/null 2>&1 || true' EXIT
port=$(docker port "$container" 8787/tcp | head -n 1 | sed 's/.*://')
state=""
for _ in $(seq 1 60); do
  state=$(docker inspect -f '{{.State.Health.Status}}' "$container")
  [ "$state" = healthy ] && break
  sleep 1
done
if [ "$state" != healthy ]; then
  docker logs "$container" >&2
  echo "container: FAIL the image's health check says ${state:-nothing}" >&2
  exit 1
fi
curl -fsS "http://127.0.0.1:$port/__admin/health"
echo
# The README's quick start, as a user would paste it, against the container.
awk '/^## Quick start/{q=1} q&&/^```sh$/{b=1;next} b&&/^```$/{exit} b' README.md \
  | sed "s#http://127.0.0.1:8787#http://127.0.0.1:$port#" >target/container-quick-start.sh
mkdir -p target
out=$(bash -euo pipefail target/container-quick-start.sh)
if ! grep -q '"status":"CONNECTED","platform_type":"CLOUD_API"' <<<"$out"; then
  echo "$out" >&2
  echo "container: FAIL the quick start did not connect the number" >&2
  exit 1
fi
echo "container: PASS image healthy, quick start connected the number"
