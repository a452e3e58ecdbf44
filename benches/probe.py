#!/usr/bin/env python3
"""The three figures of issue 14's probe, measured again against a release binary (not run in
CI; docs/limits.md keeps the latest figures):

1. RSS after filling one namespace's journal with the largest requests the server takes;
2. seconds for a form body with 145,000 parameter names (default flags, and with the
   parameter count bound lifted so that the parse itself is timed);
3. namespaces left after a flood of 10,050 health checks, each naming a new namespace.

Usage: benches/probe.py [path/to/wabasim]   (default: target/release/wabasim)
"""

import http.client
import json
import sys
import time

from simulator import rss_mb, start

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/wabasim"
TOKEN = "wabasim-new-bsp"
WABA = "200000000000002"


def request(conn, method, path, body=b"", headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, data


def journal_fill():
    proc, host, port = start(BIN)
    conn = http.client.HTTPConnection(host, port, timeout=60)
    request(conn, "GET", "/__admin/health")
    before = rss_mb(proc.pid)
    # The longest URI the server takes (--max-uri-bytes, 60 KiB) and a 1 MiB form body (the
    # facade body limit): each entry would keep ~1 MiB if nothing cut it.
    path = f"/v23.0/{WABA}/phone_numbers?q="
    path += "x" * (60 * 1024 - len(path) - 16)
    body = b"cc=1&phone_number=" + b"9" * (1024 * 1024 - 64)
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    sent = 12_000
    for _ in range(sent):
        request(conn, "POST", path, body, headers)
    after = rss_mb(proc.pid)
    _, data = request(conn, "GET", "/__admin/namespaces")
    journal = json.loads(data)["namespaces"][0]["journal"]
    proc.terminate()
    proc.wait()
    return {
        "requests": sent,
        "rss_before_mib": round(before, 1),
        "rss_after_mib": round(after, 1),
        "journal": journal,
    }


def form_names(flags):
    proc, host, port = start(BIN, *flags)
    conn = http.client.HTTPConnection(host, port, timeout=600)
    names = 145_000
    # Names alone (`a&b&...`), in hex: 0.9 MB, under the 1 MiB body limit, as the probe sent.
    body = "&".join(f"{i:x}" for i in range(names)).encode()
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    started = time.monotonic()
    status, data = request(conn, "POST", f"/v23.0/{WABA}/phone_numbers", body, headers)
    took = time.monotonic() - started
    # The server still answers at once afterwards.
    started = time.monotonic()
    request(conn, "GET", "/__admin/health")
    health = time.monotonic() - started
    proc.terminate()
    proc.wait()
    return {
        "flags": " ".join(flags) or "(defaults)",
        "body_bytes": len(body),
        "status": status,
        "seconds": round(took, 3),
        "health_after_seconds": round(health, 4),
        "answer": data[:160].decode(errors="replace"),
    }


def health_flood(flags):
    proc, host, port = start(BIN, *flags)
    conn = http.client.HTTPConnection(host, port, timeout=60)
    calls = 10_050
    started = time.monotonic()
    for i in range(calls):
        request(conn, "GET", "/__admin/health", headers={"X-Wabasim-Namespace": f"flood-{i}"})
    took = time.monotonic() - started
    auth = {"Authorization": "Bearer probe-admin"} if "--admin-token" in flags else {}
    _, data = request(conn, "GET", "/__admin/namespaces", headers=auth)
    left = json.loads(data)["count"]
    proc.terminate()
    proc.wait()
    return {
        "flags": " ".join(flags) or "(defaults)",
        "calls": calls,
        "seconds": round(took, 2),
        "namespaces_left": left,
    }


if __name__ == "__main__":
    out = {
        "journal_fill": journal_fill(),
        "form_145000_names": [form_names([]), form_names(["--max-params", "1000000"])],
        "health_flood": [health_flood([]), health_flood(["--admin-token", "probe-admin"])],
    }
    print(json.dumps(out, indent=2))
