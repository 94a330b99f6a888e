#!/usr/bin/env bash
# Times `tend sync` through the real binary (release build) at 10,000 reflections, for
# docs/performance.md: the first sync to a folder and to WebDAV (`rclone serve webdav`), a
# second device joining, then one new reflection end to end (written on A, A syncs, B syncs,
# B lists it) five times. Everything lives in a temporary folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-10000}
cargo build --release --quiet -p tend-cli
cargo build --release --quiet -p tend-tests --example generate
TEND=$PWD/target/release/tend
GENERATE=$PWD/target/release/examples/generate
work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# An identity file opens the journals (a passphrase at age's default work factor would add
# about a second of scrypt to every command, which is not sync's time).
export TEND_IDENTITY=$work/id.txt NO_COLOR=1 HOME=$work
"$GENERATE" --count "$COUNT" --journal "$work/base.tend" --identity "$work/id.txt" >/dev/null

seconds() { # command...: prints the seconds it took
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

run() { # remote label
    local remote=$1 label=$2
    local dir=$work/$label
    mkdir -p "$dir"
    cp "$work/base.tend" "$dir/a.tend"
    local init join
    init=$(seconds "$TEND" --journal "$dir/a.tend" sync init "$remote")
    join=$(seconds "$TEND" --journal "$dir/b.tend" sync join "$remote")
    local trips=()
    for i in 1 2 3 4 5; do
        local start end
        start=$(date +%s.%N)
        "$TEND" --journal "$dir/a.tend" write "one more reflection, round $i" >/dev/null 2>&1
        "$TEND" --journal "$dir/a.tend" sync >/dev/null 2>&1
        "$TEND" --journal "$dir/b.tend" sync >/dev/null 2>&1
        "$TEND" --journal "$dir/b.tend" list -n 1 2>/dev/null | grep -q "round $i"
        end=$(date +%s.%N)
        trips+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
    done
    local sorted
    sorted=$(printf '%s\n' "${trips[@]}" | sort -n | tr '\n' ' ')
    printf '| %s | %.2f s | %.2f s | %s |\n' "$label" "$init" "$join" "$sorted"
}

echo "| Remote | First sync (init) of $COUNT reflections | Second device joins | One new reflection A → B, five runs (s, sorted) |"
echo "| --- | --- | --- | --- |"
run "$work/folder-remote" folder
if command -v rclone >/dev/null; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p "$work/dav"
    rclone serve webdav --addr "127.0.0.1:$port" --user member --pass bench-password "$work/dav" >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 100); do
        (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    TEND_SYNC_USER=member TEND_SYNC_PASSWORD=bench-password run "http://127.0.0.1:$port/journal" webdav
fi
