#!/usr/bin/env bash
# Runs tend-sync's tests against a real S3-compatible server: Garage, built from crates.io
# (`cargo install --locked garage`, into target/tools, under `nice`; the first build takes
# a long while, later runs reuse it). Starts a single-node instance on 127.0.0.1 in a
# temporary folder, makes a bucket and a key, runs the tests with the credentials in the
# environment, and stops the server whatever happens.
#
#   scripts/sync-s3.sh            the S3 tests and the SIGKILL test against S3
#   scripts/sync-s3.sh --bench    also the release-build measurements (round_trip example)
set -euo pipefail
cd "$(dirname "$0")/.."

GARAGE_VERSION=2.5.0
TOOLS="$PWD/target/tools"
GARAGE="$TOOLS/bin/garage"
started=$(date +%s)

if ! "$GARAGE" --version 2>/dev/null | grep -q "$GARAGE_VERSION"; then
  echo "sync-s3: building Garage $GARAGE_VERSION from crates.io (long; later runs reuse it)"
  CARGO_TARGET_DIR="$TOOLS/build" nice -n 19 \
    cargo install --locked --root "$TOOLS" garage --version "$GARAGE_VERSION"
fi
built=$(date +%s)

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A port nothing listens on yet.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}
hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

rpc=$(free_port)
s3=$(free_port)
admin=$(free_port)
cat >"$work/garage.toml" <<EOF
metadata_dir = "$work/meta"
data_dir = "$work/data"
db_engine = "sqlite"
replication_factor = 1

rpc_bind_addr = "127.0.0.1:$rpc"
rpc_public_addr = "127.0.0.1:$rpc"
rpc_secret = "$(hex 32)"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$s3"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:$admin"
admin_token = "$(hex 32)"
EOF
chmod 600 "$work/garage.toml"

garage() { "$GARAGE" -c "$work/garage.toml" "$@"; }

# The binary itself in the background (not the function: `$!` must be the server).
"$GARAGE" -c "$work/garage.toml" server >"$work/garage.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do
  if garage status >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "sync-s3: Garage stopped while starting:" >&2
    tail -20 "$work/garage.log" >&2
    exit 1
  fi
  sleep 1
done
garage status >/dev/null

node=$(garage node id -q 2>/dev/null | cut -c1-64)
garage layout assign -z here -c 1G "$node" >/dev/null
garage layout apply --version 1 >/dev/null
key_id="GK$(hex 12)"
secret=$(hex 32)
garage key import --yes -n tend-test "$key_id" "$secret" >/dev/null
garage bucket create tend-test >/dev/null
garage bucket allow --read --write --owner tend-test --key tend-test >/dev/null
ready=$(date +%s)

export AWS_ACCESS_KEY_ID="$key_id"
export AWS_SECRET_ACCESS_KEY="$secret"
export AWS_ENDPOINT="http://127.0.0.1:$s3"
export AWS_REGION=garage
export AWS_ALLOW_HTTP=true
export TEND_SYNC_TEST_S3="s3://tend-test/run-$(hex 4)"

timeout 900 cargo test -p tend-sync --test sync_s3 --test sync_kill -- --nocapture --test-threads=1 2>&1 \
  | grep -v '^@'
tested=$(date +%s)

if [ "${1:-}" = "--bench" ]; then
  timeout 1800 cargo run --release -p tend-sync --example round_trip
fi

echo "sync-s3: Garage $GARAGE_VERSION: build $((built - started)) s, start and set up $((ready - built)) s, tests $((tested - ready)) s"
