#!/usr/bin/env bash
# tend against jrnl 4.6, the most used command-line journal, on this machine.
#
#   bench/compare.sh            # everything: tools, build, journals, timings, docs/performance.md
#
# Settings (environment):
#   SIZES="1000 10000 100000"   journal sizes, in reflections
#   OPS="add list search tag export"   the operations to time
#   JRNL_LIMIT=60               a jrnl operation whose first run takes longer (seconds) is
#                               not repeated: that one run is its figure
#   CRITERION=1                 also run the criterion benches (0 to skip)
#
# Re-running some rows (SIZES=10000 OPS=search bench/compare.sh) keeps the other rows'
# results; bench/out/runs.log, quoted in the document, says which run measured what.
#
# Installs hyperfine and GNU time from Debian's packages when missing, jrnl 4.6 (PyPI) in a
# virtual environment under bench/out/ (git-ignored; everything generated lives there),
# builds tend in release mode, generates both journals from the same reflections
# (examples/generate.rs, bench/jrnl_encrypt.py), times the same five operations with both,
# and writes the results between the markers in docs/performance.md.
#
# tend unlocks with an identity file for the timings, so the passphrase's scrypt cost (about
# a second, by design) is measured apart, once. jrnl keeps its password in a plaintext
# keyring (keyrings.alt), so it never prompts; it still derives its key with PBKDF2 on every
# command, as it always does.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/bench/out
SIZES=${SIZES:-"1000 10000 100000"}
JRNL_LIMIT=${JRNL_LIMIT:-60}
CRITERION=${CRITERION:-1}
OPS=${OPS:-"add list search tag export"}
JRNL_VERSION=4.6
PASSWORD="correct horse battery staple"
SEARCH_WORDS=(interpreter sliding)
TAG=waitlist
NEW_TEXT="Named the pay gap in the circle today, and asked who had not spoken yet."
STARTED=$(date +%s)

say() { printf '\n== %s\n' "$*" >&2; }
mkdir -p "$WORK"

# ---------------------------------------------------------------------------------- tools
say "tools"
need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get install -y "${need_apt[@]}"
fi
VENV=$WORK/venv
if ! "$VENV/bin/jrnl" --version 2>/dev/null | grep -q "v$JRNL_VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "jrnl==$JRNL_VERSION" keyrings.alt
fi
PY=$VENV/bin/python

# jrnl reads its password from a plaintext keyring in a folder of our own.
export XDG_DATA_HOME=$WORK/xdg/data XDG_CONFIG_HOME=$WORK/xdg/config XDG_STATE_HOME=$WORK/xdg/state
export PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring
export NO_COLOR=1
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"
"$PY" -c 'import keyring, sys; keyring.set_password("jrnl", "default", sys.argv[1])' "$PASSWORD"

# ---------------------------------------------------------------------------------- build
say "build (release)"
cargo build --release --quiet -p tend-cli
cargo build --release --quiet -p tend-tests --example generate
TEND=$ROOT/target/release/tend
GENERATE=$ROOT/target/release/examples/generate

# ------------------------------------------------------------------------------- journals
IDENTITY=$WORK/identity.txt
PASSFILE=$WORK/passphrase.txt
printf '%s\n' "$PASSWORD" >"$PASSFILE"
chmod 600 "$PASSFILE"

make_journals() { # N
    local n=$1 dir=$WORK/n$1
    if [ -f "$dir/base.tend" ] && [ -f "$dir/base.jrnl" ] && [ -f "$dir/generated.txt" ]; then
        return
    fi
    say "generating $n reflections"
    rm -rf "$dir" && mkdir -p "$dir"
    local extra=()
    # The smallest journal also gets a passphrase unlocker, to measure scrypt once.
    if [ "$n" = "$(first_size)" ]; then
        extra=(--passphrase-file "$PASSFILE")
        touch "$dir/has-passphrase"
    fi
    "$GENERATE" --count "$n" --journal "$dir/base.tend" --identity "$IDENTITY" --jrnl - "${extra[@]}" \
        2>"$dir/generated.txt" | "$PY" "$ROOT/bench/jrnl_encrypt.py" "$dir/base.jrnl" "$PASSWORD"
    cat "$dir/generated.txt" >&2
}
first_size() { set -- $SIZES; echo "$1"; }

jrnl_config() { # DIR
    cat >"$1/jrnl.yaml" <<EOF
version: v$JRNL_VERSION
journals:
  default:
    journal: $1/run.jrnl
    encrypt: true
editor: ''
encrypt: true
template: false
default_hour: 9
default_minute: 0
timeformat: '%Y-%m-%d %H:%M'
tagsymbols: '#@'
highlight: false
linewrap: 79
indent_character: '|'
colors: {body: none, date: none, tags: none, title: none}
EOF
}

# ------------------------------------------------------------------------------- commands
# Each operation, as the same request to both tools. Words are split on spaces (hyperfine -N).
tend_cmd() { # OP
    case $1 in
        add) echo "$TEND write -v equity=4 -t rota $NEW_TEXT" ;;
        list) echo "$TEND list -n 20" ;;
        search) echo "$TEND search ${SEARCH_WORDS[*]} -n 20" ;;
        tag) echo "$TEND list -t $TAG -n 20" ;;
        export) echo "$TEND export --format json" ;;
    esac
}
jrnl_cmd() { # OP DIR
    local j="$VENV/bin/jrnl --config-file $2/jrnl.yaml"
    case $1 in
        add) echo "$j $NEW_TEXT @rota" ;;
        list) echo "$j -n 20 --short" ;;
        search) echo "$j -contains ${SEARCH_WORDS[0]} -contains ${SEARCH_WORDS[1]} -and -n 20 --short" ;;
        tag) echo "$j @$TAG -n 20 --short" ;;
        export) echo "$j --format json" ;;
    esac
}

# Both tools find the same reflections: the generator's counts, tend's and jrnl's agree.
check_same() { # DIR JRNL_OK
    local dir=$1 with_jrnl=$2 want_search want_tag got
    want_search=$(sed -n 's/.*: \([0-9]*\) hold .*/\1/p' "$dir/generated.txt")
    want_tag=$(sed -n 's/.*, \([0-9]*\) are tagged.*/\1/p' "$dir/generated.txt")
    got=$($TEND search "${SEARCH_WORDS[@]}" -n 100000000 --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
    [ "$got" = "$want_search" ] || { echo "tend search found $got, expected $want_search" >&2; exit 1; }
    got=$($TEND list -t "$TAG" -n 100000000 --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
    [ "$got" = "$want_tag" ] || { echo "tend tag filter found $got, expected $want_tag" >&2; exit 1; }
    if [ "$with_jrnl" = 1 ]; then
        local j="$VENV/bin/jrnl --config-file $dir/jrnl.yaml"
        got=$($j -contains "${SEARCH_WORDS[0]}" -contains "${SEARCH_WORDS[1]}" -and --format json \
            | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')
        [ "$got" = "$want_search" ] || { echo "jrnl search found $got, expected $want_search" >&2; exit 1; }
        got=$($j "@$TAG" --format json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')
        [ "$got" = "$want_tag" ] || { echo "jrnl tag filter found $got, expected $want_tag" >&2; exit 1; }
    fi
    echo "both tools find $want_search reflections for the search and $want_tag for the tag" >&2
}

# One run of OP under GNU time, from a fresh copy of the journal: peak memory into
# TOOL-OP.rss, wall time in milliseconds on stdout.
trial() { # TOOL OP N
    local tool=$1 op=$2 dir=$WORK/n$3 cmd
    if [ "$tool" = tend ]; then
        cmd=$(tend_cmd "$op") && cp "$dir/base.tend" "$dir/run.tend"
    else
        cmd=$(jrnl_cmd "$op" "$dir") && cp "$dir/base.jrnl" "$dir/run.jrnl"
    fi
    # shellcheck disable=SC2086 # the command is split on spaces on purpose
    TEND_JOURNAL=$dir/run.tend TEND_IDENTITY=$IDENTITY \
        /usr/bin/time -f '%e %M' -o "$dir/$tool-$op.trial" $cmd >/dev/null 2>/dev/null
    awk '{print $2}' "$dir/$tool-$op.trial" >"$dir/$tool-$op.rss"
    awk '{printf "%d\n", $1 * 1000}' "$dir/$tool-$op.trial"
}

# Times OP with hyperfine into TOOL-OP.json. jrnl gets fewer runs as journals grow, and an
# operation whose trial run took longer than JRNL_LIMIT keeps that one run as its figure.
time_one() { # TOOL OP N
    local tool=$1 op=$2 n=$3 dir=$WORK/n$3 cmd prepare runs trial_ms
    trial_ms=$(trial "$tool" "$op" "$n")
    if [ "$tool" = tend ]; then
        cmd=$(tend_cmd "$op")
        # The copy is synced before the run: a write's fsync must not pay for the copy's
        # hundreds of megabytes of dirty pages.
        prepare="sh $ROOT/bench/restore.sh $dir/base.tend $dir/run.tend"
        runs=(--warmup 2 --min-runs 10)
    else
        cmd=$(jrnl_cmd "$op" "$dir")
        prepare="cp $dir/base.jrnl $dir/run.jrnl"
        if ((trial_ms > JRNL_LIMIT * 1000)); then
            echo "jrnl $op took ${trial_ms} ms once: that run is its figure" >&2
            printf '{"results": [{"command": "%s", "mean": %s, "stddev": null, "times": [%s], "single_run": true}]}\n' \
                "$cmd" "$trial_ms.0e-3" "$trial_ms.0e-3" >"$dir/$tool-$op.json"
            return
        fi
        case $n in 1000) runs=(--min-runs 5) ;; 10000) runs=(--runs 5) ;; *) runs=(--runs 3) ;; esac
    fi
    if [ "$op" = add ]; then runs+=(--prepare "$prepare"); else eval "$prepare"; fi
    TEND_JOURNAL=$dir/run.tend TEND_IDENTITY=$IDENTITY \
        hyperfine -N --style basic "${runs[@]}" --export-json "$dir/$tool-$op.json" "$cmd" >&2
}

# --------------------------------------------------------------------------------- timing
LOAD_BEFORE=$(uptime | sed 's/.*load average: //')
for n in $SIZES; do
    make_journals "$n"
    dir=$WORK/n$n
    jrnl_config "$dir"
    cp "$dir/base.tend" "$dir/run.tend"
    cp "$dir/base.jrnl" "$dir/run.jrnl"
    TEND_JOURNAL=$dir/run.tend TEND_IDENTITY=$IDENTITY check_same "$dir" 1
    for op in $OPS; do
        say "n=$n: $op"
        time_one tend "$op" "$n"
        time_one jrnl "$op" "$n"
    done
done

# The passphrase's cost, once: the same `tend list -n 20` on the smallest journal, opened by
# its passphrase (scrypt, age's calibrated work factor) instead of the identity file.
small=$(dirname "$(ls "$WORK"/n*/has-passphrase 2>/dev/null | sort -V | head -1)")
if [ "$small" != . ]; then
    say "unlocking with a passphrase (scrypt)"
    cp "$small/base.tend" "$small/run.tend"
    basename "$small" | tr -d n >"$WORK/scrypt-size.txt"
    TEND_JOURNAL=$small/run.tend TEND_PASSPHRASE_FILE=$PASSFILE \
        hyperfine -N --style basic --warmup 1 --runs 5 --export-json "$WORK/scrypt.json" "$TEND list -n 20" >&2
fi
LOAD_AFTER=$(uptime | sed 's/.*load average: //')

# ------------------------------------------------------------------------------ criterion
if [ "$CRITERION" = 1 ]; then
    say "criterion benches"
    cargo bench --quiet -p tend-tests --bench store --bench retreat -- --warm-up-time 1 --measurement-time 3 >&2
fi

# --------------------------------------------------------------------------------- report
say "writing docs/performance.md"
ELAPSED=$(($(date +%s) - STARTED))
printf '%s: SIZES="%s" OPS="%s" CRITERION=%s, %d min %d s; load average before %s, after %s\n' \
    "$(date -u '+%Y-%m-%d %H:%M UTC' -d "@$STARTED")" "$SIZES" "$OPS" "$CRITERION" \
    $((ELAPSED / 60)) $((ELAPSED % 60)) "$LOAD_BEFORE" "$LOAD_AFTER" >>"$WORK/runs.log"
export WORK CRITERION ROOT
TEND_VERSION=$($TEND --version) JRNL_VERSION_TEXT=$("$VENV/bin/jrnl" --version | sed -n 1p) \
    HYPERFINE_VERSION=$(hyperfine --version) RUSTC_VERSION=$(rustc --version) \
    PYTHON_VERSION=$("$PY" --version) "$PY" "$ROOT/bench/report.py"
echo "compare.sh took ${ELAPSED}s" >&2
