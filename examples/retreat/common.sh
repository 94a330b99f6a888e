# What both retreat walkthroughs share: the tend binary, the output and work folders, the
# demo-only settings, the five members, and small helpers. Sourced by walkthrough.sh and
# cofac-walkthrough.sh (with their arguments: "$1" is OUTDIR), not run on its own.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"  # this folder
root="$(cd "$here/../.." && pwd)"
if [ -n "${TEND:-}" ]; then
  tend_bin="$TEND"
else
  (cd "$root" && cargo build --release -q -p tend-cli)
  tend_bin="$root/target/release/tend"
fi
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- DEMO ONLY --------------------------------------------------------------------------
# Real journals never do either of these two things. Passphrases in files next to the
# journals, and a weakened scrypt work factor, make these five journals quick to create and
# open, and just as quick for anyone else to break into. Never use them for real reflections.
export TEND_INSECURE_SCRYPT_WORK_FACTOR=10
unset TEND_IDENTITY TEND_PASSPHRASE_COMMAND TEND_JOURNAL TEND_PASSPHRASE_FILE
# -----------------------------------------------------------------------------------------
export NO_COLOR=1

purpose="Autumn retreat"
members=(amara bex chidi dana eli)

# Runs tend as one member: their own journal, their own (demo-only) passphrase file.
as_member() {
  local name="$1"
  shift
  TEND_JOURNAL="$work/$name/journal.tend" TEND_PASSPHRASE_FILE="$work/$name/passphrase" \
    "$tend_bin" "$@"
}

say() { printf '\n== %s\n' "$*" >&2; }

# Runs a command and shows its output only if it fails.
quietly() {
  local log
  if ! log="$("$@" 2>&1)"; then
    printf '%s\n' "$log" >&2
    return 1
  fi
}

# Runs a command as `quietly` does and prints the handle of the record it saved or opened
# ("Saved reflection mnpq for …", "Saved commitment mnpq.", "Opened repair mnpq."): a record
# is named by its handle, never by a number.
handle_of() {
  local log
  if ! log="$("$@" 2>&1)"; then
    printf '%s\n' "$log" >&2
    return 1
  fi
  printf '%s\n' "$log" | sed -nE 's/^(Saved (reflection|commitment)|Opened repair) ([a-z]+).*/\3/p'
}

