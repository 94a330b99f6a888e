#!/usr/bin/env bash
# Fuzzes tend's parsers of untrusted input (fuzz/fuzz_targets), one target at a time, and
# prints what each run did: executions, time, coverage, and any crash it found.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  how long to fuzz each target (default 60)
#   TARGET...           which targets (default: all of them; `cargo fuzz list` names them)
# Environment: FUZZ_SANITIZER (default "none": tend's crates forbid unsafe code, and the
# fuzzer runs several times faster without AddressSanitizer; "address" turns it on).
#
# Seeds live in fuzz/corpus/TARGET and are only read; what the fuzzer learns goes to
# fuzz/target/corpus/TARGET and is reused by the next run. Crashes land in
# fuzz/artifacts/TARGET; minimise one with `cargo fuzz tmin TARGET FILE` and keep it as a
# seed in fuzz/corpus/TARGET once the bug is fixed. Neither folder is committed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
if ! [[ $seconds =~ ^[0-9]+$ ]]; then
    echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
fi

if ! command -v cargo-fuzz >/dev/null; then
    cargo install cargo-fuzz --locked
fi
# cargo-fuzz passes nightly-only flags; this lets the stable toolchain accept them.
export RUSTC_BOOTSTRAP=1
sanitizer=${FUZZ_SANITIZER:-none}

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cd fuzz && cargo fuzz list)
fi

# Build every target once, so a run uses the same code from first target to last even while
# the tree changes under it.
(cd fuzz && cargo fuzz build --sanitizer "$sanitizer")
bin=fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release

mkdir -p fuzz/target/logs
failed=()
printf '%-14s %12s %7s %8s %8s %7s  %s\n' target executions seconds exec/s cov corpus findings
for target in "${targets[@]}"; do
    work=fuzz/target/corpus/$target
    log=fuzz/target/logs/$target.log
    mkdir -p "$work" "fuzz/artifacts/$target"
    before=$(find "fuzz/artifacts/$target" -type f | wc -l)
    status=0
    "$bin/$target" -artifact_prefix="fuzz/artifacts/$target/" -max_total_time="$seconds" \
        -timeout=20 -print_final_stats=1 "$work" "fuzz/corpus/$target" >"$log" 2>&1 || status=$?
    # libFuzzer's last status line: "#N DONE cov: C ft: F corp: K/SIZE ... exec/s: E ...".
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
    runs=$(grep -oE '^Done [0-9]+ runs in [0-9]+' "$log" | awk '{print $2, $5}' || true)
    execs=${runs%% *}
    took=${runs##* }
    if [[ -z $runs ]]; then
        execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
        took="?"
    fi
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
    corp=$(sed -nE 's/.* corp: ([0-9]+\/[^ ]+).*/\1/p' <<<"$last")
    speed=$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$last")
    after=$(find "fuzz/artifacts/$target" -type f | wc -l)
    if [[ $status -ne 0 || $after -gt $before ]]; then
        findings="CRASH (exit $status): see $log and fuzz/artifacts/$target"
        failed+=("$target")
    else
        findings="none"
    fi
    printf '%-14s %12s %7s %8s %8s %7s  %s\n' "$target" "${execs:-?}" "${took:-?}" \
        "${speed:-?}" "${cov:-?}" "${corp:-?}" "$findings"
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "crashes in: ${failed[*]}" >&2
    exit 1
fi
