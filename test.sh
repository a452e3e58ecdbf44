#!/usr/bin/env bash
# The test command (README, "Run the tests"): the whole suite, on a fresh machine too.
set -euo pipefail
cd "$(dirname "$0")"
cargo test --all-targets
# The doc tests (--all-targets leaves them out) and the embedding example, as README shows it.
cargo test --doc
cargo run --quiet --example embedded > /dev/null
# The official Alibaba Python SDK against a running wabasim (installs its pinned venvs under
# target/cams-sdk/ on first use).
tests/cams_sdk/run.sh
# The real Graph client libraries (pywa, facebook-business) against a running wabasim
# (installs their pinned venv under target/graph-clients/ on first use).
tests/graph_clients/run.sh
# The dashboard (/__admin/ui) in Debian's headless Chromium through playwright-core (pinned,
# installed under target/dashboard/); installs chromium with apt when root, else SKIPPED.
tests/dashboard/run.sh
# The test helpers, clients/python (pytest plugin, with pywa) and clients/node (with the
# whatsapp-business npm package), against the binary (installs under target/clients/).
tests/clients/run.sh
# Meta's OpenAPI document as a fuzzer (schemathesis, pinned venv under target/fuzz/) against a
# running wabasim: no 5xx, Graph envelopes, a consistent world after; about 3 minutes, bounded.
# Says SKIPPED and passes when ../shared/reference/meta-openapi/ is absent.
tests/fuzz/run.sh
# The container image (Dockerfile): built and smoke-tested only where a container engine runs;
# elsewhere it prints "SKIPPED: container smoke test (no container engine)".
tests/container/run.sh
