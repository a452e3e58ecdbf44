"""The world after a fuzzing run is still consistent: read through GET /__admin/state.

Usage: world_invariants.py URL. Exits 1 and prints each broken invariant.
"""

import json
import sys
import urllib.request
from collections import defaultdict


def problems(state):
    out = []
    businesses = {b["id"] for b in state["businesses"]}
    partners = {p["id"] for p in state["partners"]}
    apps = {a["id"] for a in state["apps"]}
    wabas = {w["id"] for w in state["wabas"]}
    if len(wabas) != len(state["wabas"]):
        out.append("a WABA id appears twice")
    for a in state["apps"]:
        if a.get("partner") is not None and a["partner"] not in partners:
            out.append(f"app {a['id']} belongs to unknown partner {a['partner']}")
    for t in state["tokens"]:
        if t.get("app") is not None and t["app"] not in apps:
            out.append(f"token {t['token']!r} names unknown app {t['app']}")
        if t.get("business") is not None and t["business"] not in businesses:
            out.append(f"token {t['token']!r} names unknown business {t['business']}")
    phone_wabas = defaultdict(set)
    registered = defaultdict(set)
    template_ids = defaultdict(set)
    for w in state["wabas"]:
        if w.get("business") is not None and w["business"] not in businesses:
            out.append(f"WABA {w['id']} belongs to unknown business {w['business']}")
        if w.get("partner") is not None and w["partner"] not in partners:
            out.append(f"WABA {w['id']} belongs to unknown partner {w['partner']}")
        for s in w.get("subscribed_apps", []):
            if s["app"] not in apps:
                out.append(f"WABA {w['id']} is subscribed by unknown app {s['app']}")
        for t in w.get("templates", []):
            template_ids[t["id"]].add(w["id"])
        for p in w.get("phone_numbers", []):
            phone_wabas[p["id"]].add(w["id"])
            if p.get("waba_id") != w["id"]:
                out.append(f"number {p['id']} listed on WABA {w['id']} says waba_id {p.get('waba_id')}")
            if p.get("waba_id") not in wabas:
                out.append(f"number {p['id']} names unknown WABA {p.get('waba_id')}")
            if p.get("status") == "CONNECTED":
                registered[(p.get("cc"), p.get("number"))].add(w["id"])
    for pid, ws in phone_wabas.items():
        if len(ws) > 1:
            out.append(f"number id {pid} is on {len(ws)} WABAs: {sorted(ws)}")
    for (cc, number), ws in registered.items():
        if len(ws) > 1:
            out.append(f"+{cc} {number} is registered (CONNECTED) on {len(ws)} WABAs: {sorted(ws)}")
    for tid, ws in template_ids.items():
        if len(ws) > 1:
            out.append(f"template id {tid} is on {len(ws)} WABAs")
    return out


def main():
    url = sys.argv[1].rstrip("/")
    with urllib.request.urlopen(url + "/__admin/state", timeout=30) as r:
        state = json.load(r)
    found = problems(state)
    for p in found:
        print(f"fuzz: INVARIANT BROKEN: {p}")
    wabas = len(state["wabas"])
    numbers = sum(len(w.get("phone_numbers", [])) for w in state["wabas"])
    if found:
        sys.exit(1)
    print(f"fuzz: world consistent ({wabas} WABAs, {numbers} numbers)")


if __name__ == "__main__":
    main()
