#!/usr/bin/env bash
# tend with the agent against tend with an identity file, on this machine.
#
#   bench/agent.sh          # release build, journals of 1,000 and 10,000, timings, a table
#
# The same five operations as bench/compare.sh, run three ways on the same journal: opened by
# an identity file (no scrypt, the key in the process: the fastest tend can be), through the
# agent after one `tend unlock` (no secret given to the command at all: the agent seals and
# opens), and, once, by the passphrase (scrypt at age's calibrated work factor). Prints a
# Markdown table for docs/performance.md and keeps hyperfine's JSON in bench/out/agent/.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/bench/out/agent
SIZES=${SIZES:-"1000 10000"}
RUNS=${RUNS:-20}
mkdir -p "$WORK"
# (apt-get says nothing on stdout: the table below is what this script prints)
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >&2

cargo build --release --quiet -p tend-cli
cargo build --release --quiet -p tend-tests --example generate
TEND=$ROOT/target/release/tend
GENERATE=$ROOT/target/release/examples/generate
IDENTITY=$WORK/identity.txt
PASSFILE=$WORK/passphrase.txt
printf '%s\n' "correct horse battery staple" >"$PASSFILE"
chmod 600 "$PASSFILE"
RUNTIME=$WORK/runtime
mkdir -p "$RUNTIME" && chmod 700 "$RUNTIME"
export XDG_RUNTIME_DIR=$RUNTIME HOME=$WORK/home
mkdir -p "$HOME"
unset TEND_IDENTITY TEND_PASSPHRASE_FILE TEND_PASSPHRASE_COMMAND

ops() { # prints "name|command" lines
    echo "add one reflection|$TEND write -v equity=4 -t rota 'Named the pay gap in the circle today.'"
    echo "list latest 20|$TEND list -n 20"
    echo "search two words|$TEND search interpreter sliding -n 20"
    echo "filter by a tag|$TEND list -t waitlist -n 20"
    echo "export everything (JSON)|$TEND export --format json"
    echo "check every record|$TEND check"
    echo "delete one and purge|$TEND delete 1 --purge --yes"
}

time_op() { # LABEL FILE COMMAND [hyperfine args...]
    local label=$1 json=$2 cmd=$3
    shift 3
    hyperfine -N --style basic --warmup 2 --runs "$RUNS" --export-json "$json" "$@" "$cmd" >&2
}

for n in $SIZES; do
    dir=$WORK/n$n
    if [ ! -f "$dir/base.tend" ]; then
        rm -rf "$dir" && mkdir -p "$dir"
        "$GENERATE" --count "$n" --journal "$dir/base.tend" --identity "$IDENTITY" \
            --passphrase-file "$PASSFILE" 2>"$dir/generated.txt"
    fi
    export TEND_JOURNAL=$dir/run.tend
    while IFS='|' read -r name cmd; do
        slug=$(echo "$name" | tr -c 'a-z0-9\n' '-')
        prep="cp $dir/base.tend $dir/run.tend"
        cp "$dir/base.tend" "$dir/run.tend"
        TEND_IDENTITY=$IDENTITY time_op "$name" "$dir/identity-$slug.json" "$cmd" --prepare "$prep"
        # The agent: one unlock, then the command with no secret at all. The journal is
        # copied back before each run, keeping its id and key, so the agent still holds it.
        TEND_PASSPHRASE_FILE=$PASSFILE TEND_AGENT_IDLE_TIMEOUT=1h "$TEND" unlock >/dev/null 2>&1
        time_op "$name" "$dir/agent-$slug.json" "$cmd" --prepare "$prep"
        "$TEND" lock >/dev/null 2>&1
    done < <(ops)
    if [ "$n" = "$(echo $SIZES | cut -d' ' -f1)" ]; then
        cp "$dir/base.tend" "$dir/run.tend"
        TEND_PASSPHRASE_FILE=$PASSFILE hyperfine -N --style basic --warmup 1 --runs 5 \
            --export-json "$dir/passphrase-list-latest-20-.json" "$TEND list -n 20" >&2
    fi
done

python3 - "$WORK" $SIZES <<'PY'
import json, sys, os
work, sizes = sys.argv[1], sys.argv[2:]
names = ["add one reflection", "list latest 20", "search two words", "filter by a tag", "export everything (JSON)",
         "check every record", "delete one and purge"]
def mean(path):
    with open(path) as f:
        r = json.load(f)["results"][0]
    return r["mean"] * 1000, r["stddev"] * 1000
def ms(m):
    return f"{m[0]:.1f} ms ± {m[1]:.1f}" if m[0] < 100 else f"{m[0]:.0f} ms ± {m[1]:.0f}"
print("| operation | reflections | identity file | agent | agent ÷ identity |")
print("|---|---:|---:|---:|---:|")
for n in sizes:
    for name in names:
        slug = "".join(c if c.isalnum() and c.islower() or c.isdigit() else "-" for c in name)
        i = mean(f"{work}/n{n}/identity-{slug}.json")
        a = mean(f"{work}/n{n}/agent-{slug}.json")
        print(f"| {name} | {int(n):,} | {ms(i)} | {ms(a)} | {a[0]/i[0]:.2f}× |")
p = f"{work}/n{sizes[0]}/passphrase-list-latest-20-.json"
if os.path.exists(p):
    print(f"\nBy the passphrase instead (scrypt, every command): `tend list -n 20` at {int(sizes[0]):,} takes {ms(mean(p))}.")
PY
