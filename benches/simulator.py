"""Starting a wabasim binary for the Python benches (soak.py, probe.py) and reading its memory.

Each bench runs its own server on a free port (`--port-file` tells which), with its output
discarded: the benches judge answers and memory, not logs.
"""

import os
import subprocess
import tempfile
import time


def start(binary, *flags, wait_seconds=20):
    """Starts `binary serve` on a free loopback port with `flags`; returns (process, host, port)."""
    port_file = tempfile.mktemp(prefix="wabasim-bench-port-")
    proc = subprocess.Popen(
        [binary, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file, *flags],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if os.path.exists(port_file):
            addr = open(port_file).read()
            os.remove(port_file)
            host, port = addr.rsplit(":", 1)
            return proc, host, int(port)
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("the server did not start")


def rss_mb(pid):
    """Resident memory (VmRSS) of process `pid`, in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
