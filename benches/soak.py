#!/usr/bin/env python3
"""Soak: mixed traffic against a release binary for a while, and whether its memory stays flat.

Issue 16's soak (not run in CI; docs/performance.md keeps the latest figures). For `--seconds`
(default 600) several client threads at once drive:

- reads: `GET /v23.0/{phone}` in the default namespace, as fast as one connection goes;
- test cases, each in a namespace of its own that is created and then deleted (namespace
  churn): the apps' webhook URLs pointed at a local receiver, a scripted fault on
  `request_code` (probability 0.3: the client retries), three template sends before the
  migration, the migration's five calls, a clock advance (statuses delivered and read, the
  template webhooks of the migration), a send from the new number, a journal count, and a
  webhook listing;

while a local receiver answers every webhook 200. Resident memory (VmRSS) is read every
`--sample` seconds. After `--warmup` seconds (default 60) the memory must stay within
`--growth` (default 10%) plus 4 MB of its warm value: the script exits 1 if it does not, or if a
call answered what no test would expect.

Usage: benches/soak.py [--binary target/release/wabasim] [--seconds 600] [--warmup 60]
                       [--readers 2] [--cases 4] [--sample 10] [--growth 0.10]
"""

import argparse
import http.client
import http.server
import json
import sys
import threading
import time

from simulator import rss_mb, start

OLD = "wabasim-old-bsp"
NEW = "wabasim-new-bsp"
SOURCE_PHONE = "110000000000001"
DEST_WABA = "200000000000002"
TEMPLATE_SEND = {
    "messaging_product": "whatsapp",
    "to": "+15551230001",
    "type": "template",
    "template": {
        "name": "order_update",
        "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Al"}]}],
    },
}


class Receiver(http.server.BaseHTTPRequestHandler):
    """Answers every webhook 200 (and a verification handshake with its challenge)."""

    received = 0
    lock = threading.Lock()

    def do_GET(self):
        challenge = ""
        if "hub.challenge=" in self.path:
            challenge = self.path.split("hub.challenge=", 1)[1].split("&", 1)[0]
        self.answer(challenge.encode())

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with Receiver.lock:
            Receiver.received += 1
        self.answer(b"{}")

    def answer(self, body):
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the delivery was given up (its namespace deleted): nothing to answer

    def log_message(self, *args):
        pass


class Client:
    """One kept-alive connection; every call checks its status."""

    def __init__(self, host, port, failures):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.failures = failures

    def call(self, method, path, headers=None, body=None, expect=(200,)):
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        elif isinstance(body, str):
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.status not in expect:
            self.failures.append(f"{method} {path}: {r.status} {data[:200]!r}")
        return r.status, data


def one_case(c, name, hook):
    ns = {"X-Wabasim-Namespace": name}
    old = {**ns, "Authorization": f"Bearer {OLD}"}
    new = {**ns, "Authorization": f"Bearer {NEW}"}
    c.call("POST", "/__admin/namespaces", body={"name": name}, expect=(200, 201))
    for app, token in (("300000000000001", None), ("300000000000002", "wabasim-verify")):
        target = {"webhook_url": hook}
        if token:
            target["verify_token"] = token
        c.call("POST", f"/__admin/webhooks/apps/{app}", ns, target)
    fault = {
        "match": {"facade": "graph", "operation": "request_code"},
        "probability": 0.3,
        "error": "too_many_code_requests",
    }
    c.call("POST", "/__admin/faults", ns, fault, expect=(200, 201))
    for _ in range(3):
        c.call("POST", f"/v23.0/{SOURCE_PHONE}/messages", old, TEMPLATE_SEND)
    _, body = c.call(
        "POST",
        f"/v23.0/{DEST_WABA}/phone_numbers",
        new,
        "cc=1&phone_number=5550100001&migrate_phone_number=true",
    )
    phone = json.loads(body).get("id", "0")
    for _ in range(20):
        status, _ = c.call(
            "POST",
            f"/v23.0/{phone}/request_code",
            new,
            "code_method=SMS&language=en_US",
            expect=(200, 400),
        )
        if status == 200:
            break
    _, body = c.call("GET", f"/__admin/codes?phone_number_id={phone}", ns)
    codes = json.loads(body).get("codes") or [{}]
    code = codes[-1].get("code", "000000")
    c.call("POST", f"/v23.0/{phone}/verify_code", new, f"code={code}")
    c.call("POST", f"/v23.0/{phone}/register", new, "messaging_product=whatsapp&pin=123456")
    c.call("POST", "/__admin/clock/advance", ns, {"duration": "25h"})
    send = {"messaging_product": "whatsapp", "to": "+15551230001", "type": "text",
            "text": {"body": "after the move"}}
    c.call("POST", f"/v23.0/{phone}/messages", new, send)
    c.call("POST", "/__admin/requests/count", ns, {"operation": "register"})
    c.call("GET", "/__admin/webhooks?state=delivered", ns)
    c.call("DELETE", f"/__admin/namespaces/{name}", expect=(200, 204))


def main():
    a = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a.add_argument("--binary", default="target/release/wabasim")
    a.add_argument("--seconds", type=float, default=600)
    a.add_argument("--warmup", type=float, default=60)
    a.add_argument("--readers", type=int, default=2)
    a.add_argument("--cases", type=int, default=4)
    a.add_argument("--sample", type=float, default=10)
    a.add_argument("--growth", type=float, default=0.10)
    args = a.parse_args()

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    proc, host, port = start(args.binary)
    failures = []
    counts = {"reads": 0, "cases": 0}
    stop = threading.Event()

    def reader():
        c = Client(host, port, failures)
        while not stop.is_set():
            c.call("GET", f"/v23.0/{SOURCE_PHONE}", {"Authorization": f"Bearer {OLD}"})
            counts["reads"] += 1

    def cases(worker):
        c = Client(host, port, failures)
        i = 0
        while not stop.is_set():
            one_case(c, f"soak-{worker}-{i}", hook)
            counts["cases"] += 1
            i += 1

    threads = [threading.Thread(target=reader) for _ in range(args.readers)]
    threads += [threading.Thread(target=cases, args=(w,)) for w in range(args.cases)]
    for t in threads:
        t.start()
    began = time.monotonic()
    samples = []
    try:
        while time.monotonic() - began < args.seconds and len(failures) < 20:
            time.sleep(args.sample)
            at = time.monotonic() - began
            samples.append((at, rss_mb(proc.pid)))
            print(f"{at:6.0f} s  RSS {samples[-1][1]:7.1f} MB  reads {counts['reads']:8d}  "
                  f"cases {counts['cases']:6d}  webhooks {Receiver.received:7d}", flush=True)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        proc.terminate()
        proc.wait(timeout=30)
        receiver.shutdown()

    warm = [mb for at, mb in samples if at >= args.warmup]
    if not warm:
        raise SystemExit("the run ended before the warm-up did: nothing to compare")
    limit = warm[0] * (1 + args.growth) + 4
    flat = max(warm) <= limit
    print(f"warm RSS {warm[0]:.1f} MB, highest after {max(warm):.1f} MB, last {warm[-1]:.1f} MB "
          f"(limit {limit:.1f} MB): {'flat' if flat else 'GROWING'}; {counts['reads']} reads, "
          f"{counts['cases']} cases, {Receiver.received} webhooks received, "
          f"{len(failures)} unexpected answers")
    for f in failures[:10]:
        print("unexpected:", f)
    sys.exit(0 if flat and not failures else 1)


if __name__ == "__main__":
    main()
