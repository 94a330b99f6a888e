#!/usr/bin/env bash
# The test command: installs the test tools if missing, then runs every test in the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-tools.sh
cargo test --workspace "$@"
