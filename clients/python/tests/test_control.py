"""The Python helper against the real binary: the session server, per-test namespaces, and
every typed control-API call."""

import http.server
import json
import re
import urllib.request
import threading
from pathlib import Path

import pytest

import wabasim as helper
from conftest import DEST_WABA, TOKEN, graph, start_migration

REPO = Path(__file__).resolve().parents[3]


def test_the_package_is_versioned_with_the_binary(wabasim):
    cargo = (REPO / "Cargo.toml").read_text()
    version = re.search(r'^version = "([^"]+)"', cargo, re.M).group(1)
    pyproject = (REPO / "clients/python/pyproject.toml").read_text()
    assert f'version = "{version}"' in pyproject
    assert helper.__version__ == version
    assert wabasim.health()["version"] == version


def test_each_test_has_a_namespace_of_its_own(wabasim):
    other = wabasim.in_namespace(wabasim.namespace + "-other")
    start_migration(wabasim)
    wabasim.expect(1, operation="migrate_phone_number")
    other.expect(0, operation="migrate_phone_number")
    assert wabasim.health()["exists"] is True


def test_codes_clock_and_journal_follow_a_migration(wabasim, migrated):
    assert re.fullmatch(r"\d{6}", wabasim.latest_code(migrated))
    assert wabasim.codes(phone_number_id=migrated)[-1]["method"] == "SMS"
    wabasim.expect(1, operation="register", status=200)
    assert [r["operation"] for r in wabasim.requests(facade="graph")][-1] == "register"

    before = wabasim.clock()["now"]
    after = wabasim.advance("24h")["now"]
    assert after[:10] > before[:10]
    status, body = graph(wabasim, "GET", f"/{DEST_WABA}/message_templates?fields=name,language,quality_score")
    order = [t for t in body["data"] if t["name"] == "order_update" and t["language"] == "en_US"]
    assert order[0]["quality_score"]["score"] == "GREEN", order

    assert wabasim.set_clock("2030-01-01T00:00:00Z")["now"].startswith("2030-01-01")
    assert wabasim.advance(90)["now"].startswith("2030-01-01T00:01:30")


def test_a_failed_expectation_names_what_was_seen(wabasim):
    start_migration(wabasim)
    with pytest.raises(AssertionError, match=r"(?s)expected 2 request\(s\).*saw 1.*phone_numbers"):
        wabasim.expect(2, operation="migrate_phone_number")
    with pytest.raises(helper.ControlError) as refused:
        wabasim.count(operation="regsiter")
    assert refused.value.status == 400


def test_faults_are_added_listed_and_removed(wabasim):
    phone = start_migration(wabasim)
    fault = wabasim.add_fault(
        {"match": {"facade": "graph", "operation": "request_code"}, "times": 1, "error": "too_many_code_requests"}
    )
    status, body = graph(wabasim, "POST", f"/{phone}/request_code", code_method="SMS", language="en_US")
    assert (status, body["error"]["code"]) == (400, 136024), body  # graph_rules__too_many_code_requests
    listed = wabasim.faults()
    assert [(f["id"], f["hits"]) for f in listed] == [(fault, 1)]
    wabasim.remove_fault(fault)
    assert wabasim.faults() == []
    wabasim.add_fault({"match": {"operation": "verify_code"}, "error": "wrong_code"})
    assert wabasim.clear_faults() == 1
    wabasim.expect(1, operation="request_code", faulted=True)


def test_a_fixture_upload_and_reset(wabasim):
    loaded = wabasim.load_fixture(
        "seed: 7\nbusinesses:\n  - {id: '1', name: Solo}\npartners: []\napps: []\ntokens: []\nwabas: []\n"
    )
    assert loaded["loaded"]["wabas"] == 0
    assert graph(wabasim, "GET", f"/{DEST_WABA}")[0] != 200
    with pytest.raises(helper.ControlError) as bad:
        wabasim.load_fixture("wabas: [")
    assert bad.value.status == 400 and "line" in bad.value.body
    wabasim.reset()
    assert graph(wabasim, "GET", f"/{DEST_WABA}")[0] != 200, "reset returns to the uploaded fixture"


class Receiver(http.server.BaseHTTPRequestHandler):
    posts = []

    def do_GET(self):  # the verify-token handshake: echo hub.challenge
        challenge = re.search(r"hub\.challenge=([^&]*)", self.path).group(1)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(challenge.encode())

    def do_POST(self):
        Receiver.posts.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_waits_see_deliveries(wabasim, migrated):
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        wabasim.set_webhook("300000000000002", f"http://127.0.0.1:{receiver.server_port}/hook", "wabasim-verify")
        wabasim.advance("24h")
        hooks = wabasim.wait_for_webhook(field="message_template_quality_update", state="delivered", timeout=10)
        assert hooks[0]["payload"]["entry"][0]["changes"][0]["field"] == "message_template_quality_update"
        assert Receiver.posts
        with pytest.raises(AssertionError, match="no webhook delivery"):
            wabasim.wait_for_webhook(field="account_update", timeout=0.2)
    finally:
        receiver.shutdown()


def test_a_server_of_its_own_with_extra_flags():
    with helper.Server(args=["--strict"]) as server:
        control = server.control(namespace="own")
        assert control.health()["status"] == "ok"
        assert "strict" in server.log()
    assert server.process.returncode is not None


def test_a_missing_binary_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("WABASIM_BIN", "/nonexistent/wabasim")
    with pytest.raises(helper.ServerError, match="WABASIM_BIN"):
        helper.Server()


def test_wabasim_url_uses_a_running_server(tmp_path):
    """The CI service-container recipe (docs/ci.md): WABASIM_URL set, nothing is started, and
    the plugin comes from its entry point in a fresh pytest process."""
    import os
    import subprocess
    import sys

    (tmp_path / "test_user_suite.py").write_text(
        "def test_in_a_namespace(wabasim):\n"
        "    assert wabasim.health()['status'] == 'ok'\n"
        "    wabasim.advance('1h')\n"
        "    assert wabasim.namespace.startswith('test_in_a_namespace-')\n"
    )
    with helper.Server() as server:
        env = {k: v for k, v in os.environ.items() if k != "WABASIM_BIN"}
        env["WABASIM_URL"] = server.url
        env["WABASIM_BIN"] = "/nonexistent/so-nothing-is-started"
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
            env=env, capture_output=True, text=True, timeout=60,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "1 passed" in run.stdout
        names = [n["name"] for n in server.control().namespaces()]
        assert not [n for n in names if n.startswith("test_in_a_namespace-")], "dropped after the test"


def test_the_rest_of_the_surface(wabasim):
    assert wabasim.freeze_clock()["frozen"] is True
    assert wabasim.unfreeze_clock()["frozen"] is False
    assert any(a["id"] == "300000000000002" for a in wabasim.state()["apps"])
    graph(wabasim, "GET", "/200000000000002/no_such_edge")
    assert wabasim.unmatched()[0]["unmatched"]["reason"]
    other = wabasim.create_namespace(wabasim.namespace + "-made")
    assert other.health()["exists"] is True
    wabasim.delete_namespace(other.namespace)
    assert other.health()["exists"] is False


def test_users_write_in_and_the_ledger_books_a_send(wabasim, migrated):
    user = "15554000001"
    assert wabasim.describe_recipient(user, name="Ana Souza")["wa_id"] == user
    said = wabasim.user_writes(migrated, user, "Is my order on its way?")
    assert said["message_id"].startswith("wamid.")
    where = wabasim.user_writes(
        migrated,
        user,
        type="location",
        location={"latitude": 38.7223, "longitude": -9.1393, "name": "Home"},
        context={"message_id": said["message_id"]},
    )
    assert where["message_id"] != said["message_id"]
    with pytest.raises(helper.ControlError) as refused:
        wabasim.user_writes(migrated, user, type="location", location={"latitude": 91, "longitude": 0})
    assert refused.value.status == 400

    body = json.dumps({"messaging_product": "whatsapp", "to": user, "type": "text", "text": {"body": "On its way"}})
    req = urllib.request.Request(
        f"{wabasim.url}/v23.0/{migrated}/messages",
        data=body.encode(),
        method="POST",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", **wabasim.headers},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        sent = json.load(r)["messages"][0]["id"]
    assert wabasim.billing()["charges"] == [], "a send is charged when delivered"
    wabasim.advance("2s")
    charges = wabasim.billing()["charges"]
    assert [c["message_id"] for c in charges] == [sent], charges
    assert charges[0]["phone_number_id"] == migrated
