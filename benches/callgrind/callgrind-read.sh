#!/usr/bin/env bash
# callgrind-read.sh CHECKOUT_DIR
#
# Instructions per read request (the bench's read: GET /v23.0/110000000000001 with
# "Authorization: Bearer wabasim-old-bsp", see benches/wabasim.rs) of a wabasim checkout,
# counted by valgrind's callgrind.
#
# 1. Builds the release binary in CHECKOUT_DIR (its own target dir: CHECKOUT_DIR/target).
# 2. Twice: starts `target/release/wabasim serve --listen 127.0.0.1:$PORT` under callgrind,
#    sends $WARMUP warm-up requests and then $SMALL (first run) or $LARGE (second run)
#    keep-alive requests over $CONNS connection(s), closes them, stops the server with
#    SIGINT (graceful shutdown) and reads the total Ir from the callgrind output.
# 3. Start-up, warm-up and shutdown are the same in both runs, so
#    (Ir(large) - Ir(small)) / (LARGE - SMALL) is the cost of one request.
#
# Everything runs under `nice -n 19`. Settings (environment):
#   WARMUP=500 SMALL=1000 LARGE=6000 CONNS=1 PORT=0 (0: a free port)
#   OUT_DIR=target/callgrind/<checkout name>-<time> (in CHECKOUT_DIR)   callgrind files and logs
#   NO_BUILD=1   skip the cargo build (use the binary already in CHECKOUT_DIR/target)
#   SERVER="CMD ARGS"   count another server instead (it must print "listening on http://ADDR"
#                and take the address from "{listen}" in ARGS), e.g. the bench's floors:
#                SERVER="target/release/deps/wabasim-HASH --floor-server {listen} --graph-wire"
# Last line printed: "instructions per GET: N".
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/Cargo.toml" ]; then
    echo "usage: $0 CHECKOUT_DIR   (a wabasim checkout with Cargo.toml)" >&2
    exit 2
fi
CHECKOUT=$(cd "$1" && pwd)
TOOLS=$(cd "$(dirname "$0")" && pwd)
WARMUP=${WARMUP:-500}
SMALL=${SMALL:-1000}
LARGE=${LARGE:-6000}
CONNS=${CONNS:-1}
PORT=${PORT:-0}
OUT_DIR=${OUT_DIR:-$CHECKOUT/target/callgrind/$(basename "$CHECKOUT")-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT_DIR"

if [ "${NO_BUILD:-0}" != 1 ]; then
    echo "building release binary in $CHECKOUT ..." >&2
    (cd "$CHECKOUT" && CARGO_TARGET_DIR="$CHECKOUT/target" nice -n 19 cargo build --release --bin wabasim) \
        >"$OUT_DIR/build.log" 2>&1 || { tail -30 "$OUT_DIR/build.log" >&2; exit 1; }
fi
BIN="$CHECKOUT/target/release/wabasim"
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }

SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# run_one LABEL COUNT: sets IR to the total Ir of one server run that answered WARMUP+COUNT reads.
run_one() {
    local label=$1 count=$2
    local out="$OUT_DIR/callgrind.$label.out" stdout="$OUT_DIR/server.$label.stdout"
    local stderr="$OUT_DIR/server.$label.stderr"
    rm -f "$out" "$stdout" "$stderr"
    # nice execs valgrind, and valgrind runs the guest in its own process: $! is the server.
    local cmd=("$BIN" serve --listen "127.0.0.1:$PORT")
    if [ -n "${SERVER:-}" ]; then
        read -ra cmd <<<"${SERVER//\{listen\}/127.0.0.1:$PORT}"
    fi
    nice -n 19 valgrind --tool=callgrind --callgrind-out-file="$out" \
        "${cmd[@]}" >"$stdout" 2>"$stderr" &
    SERVER_PID=$!
    local addr= i
    for i in $(seq 1 1200); do   # up to 120 s: start-up under valgrind on a busy machine
        addr=$(sed -n 's|.*listening on http://\([0-9.:]*\).*|\1|p' "$stdout" 2>/dev/null | head -1)
        [ -n "$addr" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$stderr" >&2; echo "server died" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$addr" ] || { echo "server did not start in 120 s" >&2; exit 1; }
    nice -n 19 python3 "$TOOLS/read-client.py" "$addr" "$WARMUP" "$count" "$CONNS" \
        2>>"$OUT_DIR/client.$label.log" || { cat "$OUT_DIR/client.$label.log" >&2; exit 1; }
    # wabasim shuts down on SIGINT; a floor has no handler, and a background job of a
    # script ignores SIGINT, so it is stopped with SIGTERM (callgrind still writes its file).
    if [ -n "${SERVER:-}" ]; then kill -TERM "$SERVER_PID"; else kill -INT "$SERVER_PID"; fi
    local rc=0
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=
    [ "$rc" = 0 ] || echo "warning: server exited with status $rc (see $stderr)" >&2
    local total
    total=$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$out" | head -1)
    [ -n "$total" ] || { echo "no totals in $out" >&2; exit 1; }
    IR=$total
}

echo "run 1: $WARMUP warm-up + $SMALL reads under callgrind ..." >&2
run_one small "$SMALL"; IR_SMALL=$IR
echo "run 2: $WARMUP warm-up + $LARGE reads under callgrind ..." >&2
run_one large "$LARGE"; IR_LARGE=$IR

DIFF=$((LARGE - SMALL))
PER=$(( (IR_LARGE - IR_SMALL + DIFF / 2) / DIFF ))
{
    echo "checkout:  $CHECKOUT ($(git -C "$CHECKOUT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
    echo "run small: $((WARMUP + SMALL)) requests, Ir $IR_SMALL ($(( IR_SMALL / (WARMUP + SMALL) )) per request incl. start-up)"
    echo "run large: $((WARMUP + LARGE)) requests, Ir $IR_LARGE ($(( IR_LARGE / (WARMUP + LARGE) )) per request incl. start-up)"
    echo "difference: $((IR_LARGE - IR_SMALL)) Ir over $DIFF requests, $CONNS connection(s)"
    echo "callgrind files: $OUT_DIR"
    echo "instructions per GET: $PER"
} | tee "$OUT_DIR/result.txt"
