#!/usr/bin/env bash
# The real Graph client libraries (pywa and facebook-business, pinned in
# requirements.lock.txt) drive the migration, the reads around it, sends, status webhooks
# and pricing_analytics against a freshly
# started wabasim. Installs their venv under target/graph-clients/ on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/support/python.sh
skip_without_python "the Graph client-library test (tests/graph_clients)"
venv=$(venv_for target/graph-clients/venv tests/graph_clients/requirements.lock.txt graph-clients)
start_wabasim target/graph-clients/serve.log graph-clients
WABASIM_URL="$url" "$venv/bin/python" tests/graph_clients/graph_clients_flow.py
