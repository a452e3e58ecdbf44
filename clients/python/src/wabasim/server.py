"""Starting and stopping a `wabasim serve` process on a free port.

The binary is bound to port 0 and writes the address it got to `--port-file`: waiting for that
file is race-free (no port picked here and lost to another process before the server binds it)
and needs no parsing of the server's output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

from .control import Control

BIN_ENV = "WABASIM_BIN"


class ServerError(RuntimeError):
    """The binary could not be found, exited early, or did not listen in time."""


def find_binary(binary: Optional[str] = None) -> str:
    """`binary`, else `$WABASIM_BIN`, else `wabasim` on PATH."""
    chosen = binary or os.environ.get(BIN_ENV) or shutil.which("wabasim")
    if not chosen:
        raise ServerError(
            f"no wabasim binary: set {BIN_ENV}=/path/to/wabasim or put wabasim on PATH "
            "(cargo install --path . or target/debug/wabasim from cargo build)"
        )
    if not (os.path.isfile(chosen) and os.access(chosen, os.X_OK)):
        raise ServerError(f"{chosen} is not an executable file ({BIN_ENV} or PATH)")
    return chosen


class Server:
    """A running `wabasim serve --listen 127.0.0.1:0`; `url` is its address.

    Use as a context manager, or call `stop()`. `args` are extra `serve` flags
    (`["--fixture", "world.yaml"]`, `["--strict"]`).
    """

    def __init__(
        self,
        binary: Optional[str] = None,
        args: Sequence[str] = (),
        start_timeout: float = 30.0,
    ) -> None:
        self.binary = find_binary(binary)
        self._dir = tempfile.TemporaryDirectory(prefix="wabasim-")
        port_file = Path(self._dir.name) / "address"
        self.log_path = Path(self._dir.name) / "serve.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--listen", "127.0.0.1:0", "--port-file", str(port_file), *args],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            address = self._wait_for(port_file, start_timeout)
        except BaseException:
            self.stop()
            raise
        self.url = f"http://{address}"

    def _wait_for(self, port_file: Path, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if port_file.exists():
                return port_file.read_text().strip()
            if self.process.poll() is not None:
                raise ServerError(
                    f"wabasim exited with {self.process.returncode} before listening:\n{self.log()}"
                )
            time.sleep(0.02)
        raise ServerError(f"wabasim did not listen within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        """What the server printed so far (its effective configuration, warnings, logs)."""
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def control(self, namespace: Optional[str] = None, admin_token: Optional[str] = None) -> Control:
        return Control(self.url, namespace=namespace, admin_token=admin_token)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (the server drains in-flight requests), then SIGKILL after `timeout`."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        self._dir.cleanup()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
