"""The pytest plugin (entry point `pytest11`, so installing the package enables it).

Fixtures:
- `wabasim_server` (session): one `wabasim serve` on a free port for the whole run, stopped at
  the end. `WABASIM_URL` set: that already-running server is used instead (a CI service
  container); else the binary is `WABASIM_BIN` or `wabasim` on PATH. `WABASIM_ARGS` adds
  `serve` flags (split like a shell would).
- `wabasim` (function): a `Control` on a namespace of its own, named after the test, so tests
  never see each other's worlds, and dropped after the test. Send `wabasim.headers` (the
  namespace header) with your client's requests.
"""

from __future__ import annotations

import os
import re
import shlex
import uuid
from typing import Iterator, Optional

import pytest

from .control import Control, ControlError
from .server import Server

URL_ENV = "WABASIM_URL"
ARGS_ENV = "WABASIM_ARGS"
TOKEN_ENV = "WABASIM_ADMIN_TOKEN"


class ExternalServer:
    """A server this run did not start (`WABASIM_URL`): only its address is known."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def control(self, namespace: Optional[str] = None, admin_token: Optional[str] = None) -> Control:
        return Control(self.url, namespace=namespace, admin_token=admin_token)


@pytest.fixture(scope="session")
def wabasim_server() -> Iterator[object]:
    url = os.environ.get(URL_ENV)
    if url:
        server: object = ExternalServer(url)
        # Fail here, once, with the reason, rather than in every test.
        Control(url, admin_token=os.environ.get(TOKEN_ENV)).health()
        yield server
        return
    with Server(args=shlex.split(os.environ.get(ARGS_ENV, ""))) as started:
        yield started


def namespace_for(test_name: str) -> str:
    """A namespace name readable in the server's journal and unique per run: visible ASCII."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name)[-60:].strip("-") or "test"
    return f"{stem}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def wabasim(wabasim_server: Server, request: pytest.FixtureRequest) -> Iterator[Control]:
    control = wabasim_server.control(
        namespace=namespace_for(request.node.name), admin_token=os.environ.get(TOKEN_ENV)
    )
    yield control
    try:
        control.delete_namespace()
    except ControlError as e:
        # A test that never touched its namespace leaves nothing to drop.
        if e.status != 404:
            raise
