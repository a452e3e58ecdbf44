#!/usr/bin/env python3
"""Minimal keep-alive HTTP/1.1 client for callgrind-read.sh.

usage: read-client.py HOST:PORT WARMUP COUNT [CONNECTIONS]

Sends WARMUP and then COUNT copies of the bench's read request (benches/wabasim.rs:
get("/v23.0/110000000000001", "Authorization: Bearer wabasim-old-bsp\r\n")), one at a
time per connection, spread round-robin over CONNECTIONS keep-alive connections (1 by
default), checks every answer is a 200, closes the connections and exits. Exit status 1
if any answer was not a 200.
"""
import socket
import sys

REQUEST = (
    b"GET /v23.0/110000000000001 HTTP/1.1\r\n"
    b"Host: bench\r\n"
    b"Authorization: Bearer wabasim-old-bsp\r\n"
    b"\r\n"
)


class Conn:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def call(self):
        self.s.sendall(REQUEST)
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            chunk = self.s.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed before the head")
            self.buf += chunk
        head = self.buf[:end]
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        total = end + 4 + length
        while len(self.buf) < total:
            chunk = self.s.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed mid-body")
            self.buf += chunk
        body = self.buf[end + 4:total]
        self.buf = self.buf[total:]
        return status, body

    def close(self):
        self.s.close()


def main():
    addr, warmup, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    connections = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    host, _, port = addr.rpartition(":")
    conns = [Conn(host, int(port)) for _ in range(connections)]
    bad = 0
    first_body = None
    for i in range(warmup + count):
        status, body = conns[i % connections].call()
        if first_body is None:
            first_body = body
        if status != 200:
            bad += 1
            if bad <= 3:
                print(f"non-200 answer: {status} {body[:200]!r}", file=sys.stderr)
    for c in conns:
        c.close()
    print(f"client: {warmup} warm-up + {count} requests on {connections} connection(s), "
          f"{bad} non-200; first body {first_body[:80]!r}", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
