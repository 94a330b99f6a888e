#!/usr/bin/env bash
# Two real Syncthing instances on loopback carry a folder remote between two devices.
# The test itself (crates/sync/tests/sync_syncthing.rs) generates both homes, writes their
# configuration (own ports on 127.0.0.1; no discovery, relays, NAT or usage reporting),
# starts them, syncs through them and stops them; `cargo test` runs it too. This script
# installs syncthing if it is missing and runs only that test, with its output.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-tools.sh
exec timeout 600 cargo test -p tend-sync --test sync_syncthing -- --nocapture
