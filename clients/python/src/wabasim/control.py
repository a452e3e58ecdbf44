"""Typed calls for wabasim's control API (`/__admin/`, docs/control-api.md), for one namespace.

Every call carries the namespace header, so a `Control` steers only its own isolated world:
its clock, codes, faults, journal and webhook deliveries. Standard library only (urllib).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Mapping, Optional, Union

# src/wire/mod.rs NAMESPACE_HEADER; docs/contract.md.
NAMESPACE_HEADER = "X-Wabasim-Namespace"

Json = Dict[str, Any]


class ControlError(RuntimeError):
    """The control API answered non-2xx: `status` and the decoded `body` say why."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        super().__init__(f"{method} {path} answered {status}: {body}")
        self.status = status
        self.body = body


def _query(filters: Mapping[str, Any]) -> str:
    pairs = {k: _text(v) for k, v in filters.items() if v is not None}
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Control:
    """The control API of the server at `url`, in `namespace` (None: the default namespace).

    `admin_token` is the server's `--admin-token`, when it has one.
    """

    def __init__(
        self,
        url: str,
        namespace: Optional[str] = None,
        admin_token: Optional[str] = None,
        timeout: float = 70.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.namespace = namespace
        self.admin_token = admin_token
        # Above the longest webhook wait the server allows (60 s), so a wait never times out here.
        self.timeout = timeout

    # --- plumbing ---------------------------------------------------------------------

    @property
    def headers(self) -> Dict[str, str]:
        """The header a client under test sends to work in this namespace."""
        return {NAMESPACE_HEADER: self.namespace} if self.namespace else {}

    def in_namespace(self, name: str) -> "Control":
        """The same server's control API for another namespace."""
        return Control(self.url, namespace=name, admin_token=self.admin_token, timeout=self.timeout)

    def call(self, method: str, path: str, body: Any = None, timeout: Optional[float] = None) -> Any:
        """One control-API call; `body` is sent as JSON (a str as is: YAML fixtures)."""
        headers = dict(self.headers)
        if self.admin_token:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        data = None
        if body is not None:
            if isinstance(body, str):
                data = body.encode()
                headers["Content-Type"] = "application/yaml"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                decoded: Any = json.loads(raw)
            except ValueError:
                decoded = raw.decode(errors="replace")
            raise ControlError(method, path, e.code, decoded) from None
        return json.loads(raw) if raw else None

    # --- server and world ---------------------------------------------------------------

    def health(self) -> Json:
        """`{"status": "ok", "version", "namespace", "exists"}`; never creates the namespace."""
        return self.call("GET", "/__admin/health")

    def reset(self) -> None:
        """Rebuilds this namespace's world and faults from its fixture; empties its journal and outbox."""
        self.call("POST", "/__admin/reset")

    def state(self) -> Json:
        """The whole world as JSON (apps with their secrets, WABAs, numbers, templates)."""
        return self.call("GET", "/__admin/state")

    def load_fixture(self, fixture: Union[str, Mapping[str, Any]]) -> Json:
        """Replaces this namespace's world with a fixture (YAML text or a dict); `loaded` counts."""
        return self.call("POST", "/__admin/fixture", fixture if isinstance(fixture, str) else dict(fixture))

    def create_namespace(self, name: str, fixture: Optional[str] = None) -> "Control":
        """Creates `name` from a fixture of its own (YAML text), or the server's; returns its Control."""
        body: Json = {"name": name}
        if fixture is not None:
            body["fixture"] = fixture
        self.call("POST", "/__admin/namespaces", body)
        return self.in_namespace(name)

    def delete_namespace(self, name: Optional[str] = None) -> None:
        """Drops `name` (default: this namespace) with its world, journal and outbox."""
        target = name or self.namespace
        if not target:
            raise ValueError("give the namespace to delete")
        self.call("DELETE", "/__admin/namespaces/" + urllib.parse.quote(target, safe=""))

    def namespaces(self) -> List[Json]:
        return self.call("GET", "/__admin/namespaces")["namespaces"]

    # --- clock --------------------------------------------------------------------------

    def clock(self) -> Json:
        """`{"now": RFC 3339, "unix_ms", "frozen"}`."""
        return self.call("GET", "/__admin/clock")

    def advance(self, duration: Union[str, int, float]) -> Json:
        """Moves the world's clock: `"24h"`, `"2h 30m"`, or seconds. Due timers and webhook retries run."""
        body = {"duration": duration} if isinstance(duration, str) else {"seconds": duration}
        return self.call("POST", "/__admin/clock/advance", body)

    def set_clock(self, to: str) -> Json:
        """Sets the world's time (RFC 3339, `2026-01-02T00:00:00Z`)."""
        return self.call("POST", "/__admin/clock/set", {"to": to})

    def freeze_clock(self) -> Json:
        return self.call("POST", "/__admin/clock/freeze")

    def unfreeze_clock(self) -> Json:
        return self.call("POST", "/__admin/clock/unfreeze")

    # --- verification codes -------------------------------------------------------------

    def codes(self, phone_number_id: Optional[str] = None, phone_number: Optional[str] = None) -> List[Json]:
        """The codes "sent" by SMS or voice, newest last."""
        q = _query({"phone_number_id": phone_number_id, "phone_number": phone_number})
        return self.call("GET", "/__admin/codes" + q)["codes"]

    def latest_code(self, phone_number_id: str) -> str:
        """The last code sent to a phone-number id; AssertionError when none was."""
        codes = self.codes(phone_number_id=phone_number_id)
        if not codes:
            raise AssertionError(f"no verification code was sent to phone number {phone_number_id}")
        return codes[-1]["code"]

    # --- faults -------------------------------------------------------------------------

    def add_fault(self, fault: Mapping[str, Any]) -> str:
        """Adds a scripted fault (docs/faults.md, a fixture's `faults:` entry); returns its id."""
        return self.call("POST", "/__admin/faults", dict(fault))["id"]

    def faults(self) -> List[Json]:
        """Each fault with `id`, `seen` and `hits`, in the order they are checked."""
        return self.call("GET", "/__admin/faults")["faults"]

    def remove_fault(self, fault_id: str) -> None:
        self.call("DELETE", "/__admin/faults/" + urllib.parse.quote(fault_id, safe=""))

    def clear_faults(self) -> int:
        return self.call("DELETE", "/__admin/faults")["deleted"]

    # --- request journal ----------------------------------------------------------------

    def requests(self, **filters: Any) -> List[Json]:
        """Recorded requests, oldest first. Filters: facade, operation, method, path, status,
        error, since, until, after, unmatched, faulted, namespace, limit (docs/control-api.md)."""
        return self.call("GET", "/__admin/requests" + _query(filters))["requests"]

    def count(self, **filters: Any) -> int:
        """How many recorded requests match (the same filters, one value each)."""
        body = {k: v for k, v in filters.items() if v is not None}
        return self.call("POST", "/__admin/requests/count", body)["count"]

    def expect(self, times: int, **filters: Any) -> None:
        """Asserts that exactly `times` recorded requests match; the failure lists what was seen."""
        seen = self.count(**filters)
        if seen != times:
            lines = [
                f"  {r.get('method')} {r.get('path')} -> {r.get('status')} ({r.get('operation')})"
                for r in self.requests(limit=50)
            ]
            raise AssertionError(
                f"expected {times} request(s) matching {filters}, saw {seen}; "
                f"the namespace's last requests:\n" + ("\n".join(lines) or "  (none)")
            )

    def unmatched(self) -> List[Json]:
        """Requests no route matched, each with `unmatched.reason` and `unmatched.closest`."""
        return self.call("GET", "/__admin/requests/unmatched")["requests"]

    # --- messaging ----------------------------------------------------------------------

    def describe_recipient(self, wa_id: str, **fields: Any) -> Json:
        """Describes a simulated WhatsApp user: name, reach ("online" or "unreachable"),
        offline_until, stopped_marketing, reads, user_id (docs/control-api.md, "Messaging")."""
        return self.call("POST", "/__admin/recipients", {"wa_id": wa_id, **fields})

    def user_writes(self, phone_number_id: str, user: str, text: Optional[str] = None, **message: Any) -> Json:
        """That user writes to the number: a text, or `type=` with that type's object (image,
        location, contacts, reaction, interactive, button, order...) and `context=` to quote a
        message. The 24-hour window opens and a `messages` webhook goes out; answers
        `{"message_id"}` (and `media_id` for a file)."""
        body: Json = {"phone_number_id": phone_number_id, "from": user, **message}
        if text is not None:
            body["text"] = text
        return self.call("POST", "/__admin/inbound", body)

    def billing(self) -> Json:
        """The ledger: `currency`, `booked`, totals per business and WABA, and each charge."""
        return self.call("GET", "/__admin/billing")

    # --- webhooks -----------------------------------------------------------------------

    def set_webhook(self, app_id: str, webhook_url: str, verify_token: Optional[str] = None) -> Json:
        """Sets an app's own webhook URL (and verify token for the GET handshake)."""
        body: Json = {"webhook_url": webhook_url}
        if verify_token is not None:
            body["verify_token"] = verify_token
        return self.call("POST", f"/__admin/webhooks/apps/{urllib.parse.quote(app_id, safe='')}", body)

    def webhooks(self, **filters: Any) -> List[Json]:
        """Webhook deliveries with payload, body, signature and attempts. Filters: field, waba,
        app, state (delivered, pending, failed, expired)."""
        return self.call("GET", "/__admin/webhooks" + _query(filters))["deliveries"]

    def wait_for_webhook(self, timeout: float = 5.0, **filters: Any) -> List[Json]:
        """Waits (server side, at most 60 s) until a delivery matches; AssertionError if none did."""
        wait = f"{int(max(0.0, min(timeout, 60.0)) * 1000)}ms"
        found = self.call("GET", "/__admin/webhooks" + _query({**filters, "wait": wait}))["deliveries"]
        if not found:
            raise AssertionError(f"no webhook delivery matching {filters} within {timeout}s")
        return found
