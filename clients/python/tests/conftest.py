"""Shared by the helper's own tests: Graph calls with urllib, in a test's namespace.

The `wabasim` and `wabasim_server` fixtures come from the installed plugin itself, so these
tests also prove the entry point registers it.
"""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

TOKEN = "wabasim-new-bsp"  # the default world's New BSP token (docs/contract.md)
DEST_WABA = "200000000000002"


def graph(wabasim, method, path, **form):
    """A Graph call as a BSP makes it; returns (status, decoded body)."""
    data = urllib.parse.urlencode(form).encode() if form else None
    headers = {"Authorization": f"Bearer {TOKEN}", **wabasim.headers}
    req = urllib.request.Request(wabasim.url + "/v23.0" + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def start_migration(wabasim):
    status, body = graph(
        wabasim, "POST", f"/{DEST_WABA}/phone_numbers", cc="1", phone_number="5550100001", migrate_phone_number="true"
    )
    assert status == 200, body
    return body["id"]


@pytest.fixture
def migrated(wabasim):
    """A phone number migrated and registered on the destination WABA; its id."""
    phone = start_migration(wabasim)
    assert graph(wabasim, "POST", f"/{phone}/request_code", code_method="SMS", language="en_US")[0] == 200
    assert graph(wabasim, "POST", f"/{phone}/verify_code", code=wabasim.latest_code(phone))[0] == 200
    status, body = graph(wabasim, "POST", f"/{phone}/register", messaging_product="whatsapp", pin="123456")
    assert status == 200, body
    return phone
