#!/usr/bin/env bash
# A retreat from start to finish: a facilitator makes a key, five members join the roster,
# write reflections and each share a signed contribution, one member changes their mind and revokes theirs, and the
# facilitator builds the retreat summary in Markdown, in HTML, and with a template of the
# cooperative's own.
#
# Usage: examples/retreat/walkthrough.sh [OUTDIR]
#   OUTDIR  where the summaries go [default: a new temporary folder]
#   TEND    the tend binary to use [default: build one with cargo, in release mode]
#
# Everything else happens in a temporary folder that is removed at the end.
set -euo pipefail

# The binary, folders, demo-only settings, members and helpers both walkthroughs use.
# shellcheck source=examples/retreat/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

say "The facilitator makes a key and hands members its recipient"
mkdir -p "$work/facilitator/inbox/revocations" "$work/facilitator/keys"
cd "$work/facilitator"
# The identity lives in its own folder, away from any template (without -o it would go to
# tend's configuration folder).
recipient="$("$tend_bin" retreat keygen -o keys/retreat-identity.txt)"
echo "recipient: $recipient" >&2

say "Five members start journals"
for name in "${members[@]}"; do
  mkdir -p "$work/$name"
  printf 'demo passphrase for %s, never do this for real\n' "$name" >"$work/$name/passphrase"
  chmod 600 "$work/$name/passphrase"
  quietly as_member "$name" init
done

say "Each member joins the retreat: one roster line each, handed to the facilitator"
for name in "${members[@]}"; do
  as_member "$name" retreat join --purpose "$purpose" --name "${name^}" \
    2>/dev/null >>"$work/facilitator/roster.txt"
done
"$tend_bin" retreat roster roster.txt >&2

say "They reflect over a few weeks, make commitments and tend repairs"
amara_first="$(handle_of as_member amara write --on "3 weeks ago" -v equity=4 -v transparency=4 \
  "Named the pay gap in the finance circle instead of waiting for someone else to.")"
quietly as_member amara write --on "2 weeks ago" -v anti-oppression=2 -v equity=4 \
  "Took the evening slots again so newer members didn't have to. Noticing a pattern."
quietly as_member amara commit add -v equity "Bring a rota proposal to the next circle"
amara_notes="$(handle_of as_member amara commit add -v transparency "Post the finance circle's notes")"
quietly as_member amara commit done "$amara_notes"

bex_first="$(handle_of as_member bex write --on "20 days ago" -v transparency=5 -v equity=4 \
  "Posted the sliding-scale numbers where every member can see them.")"
quietly as_member bex write --on "10 days ago" -v repair=3 -v anti-oppression=2 -v equity=3 \
  --content-note "a hard moment in supervision" \
  "Cut a colleague off in case review. Named it afterwards, listened, and apologised."
bex_repair="$(handle_of as_member bex repair open -v repair "Interrupted a colleague during case review")"
quietly as_member bex repair step "$bex_repair" reflection --note "It was about my hurry, not their point."
quietly as_member bex repair step "$bex_repair" apology --note "Apologised at the next meeting, without excuses."
bex_publish="$(handle_of as_member bex commit add -v transparency "Publish the sliding-scale numbers each quarter")"
quietly as_member bex commit add -v repair "Ask before adding to someone's case load"
quietly as_member bex commit done "$bex_publish"

chidi_first="$(handle_of as_member chidi write --on "18 days ago" -v equity=4 -v anti-oppression=4 \
  "Asked who had not spoken yet before we decided on the budget.")"
quietly as_member chidi write --on "6 days ago" -v transparency=2 -v equity=3 \
  "Shared the minutes late; two people felt left out of the decision."
quietly as_member chidi write --on "5 days ago" -v equity=3 \
  "Offered the quieter intake shift to whoever had waited longest."
chidi_repair="$(handle_of as_member chidi repair open -v transparency "Minutes went out late")"
quietly as_member chidi repair step "$chidi_repair" reflection --note "Two people decided without the full picture."
quietly as_member chidi commit add -v transparency "Send minutes within two days"
chidi_rotate="$(handle_of as_member chidi commit add -v equity "Rotate who facilitates")"
quietly as_member chidi commit done "$chidi_rotate"

quietly as_member dana write --on "15 days ago" -v equity=4 -v transparency=3 \
  "Sat with the question of who gets the new referrals, and asked the circle."
quietly as_member dana write --on "4 days ago" -v repair=4 -v equity=3 \
  "Followed up with a client after a rescheduled session, as promised."
dana_repair="$(handle_of as_member dana repair open -v repair "Rescheduled a client at short notice")"
quietly as_member dana repair step "$dana_repair" reflection --note "The client had arranged childcare."
dana_check_in="$(handle_of as_member dana commit add -v repair "Check in with the intake team monthly")"
quietly as_member dana commit add -v equity "Share the referral list at each circle"
quietly as_member dana commit done "$dana_check_in"

quietly as_member eli write --on "12 days ago" -v equity=3 -v repair=2 \
  "Not sure I want to share this season. Writing it down anyway."

say "Each member shares a contribution: first Amara, with the preview she reads"
share() {
  local name="$1"
  shift
  as_member "$name" share --purpose "$purpose" --since "2 months ago" --to "$recipient" \
    -o "$work/facilitator/inbox/$name.age" "$@"
}
# --yes: Amara has read the preview above it. Without a terminal, only --yes consents.
share amara --excerpt "$amara_first" --yes
say "The others share too (their previews are not shown here)"
share bex --excerpt "$bex_first" --name "Bex" --yes 2>/dev/null
share chidi --excerpt "$chidi_first" --armor --yes 2>/dev/null
share dana --yes 2>/dev/null
share eli --yes 2>/dev/null

say "Eli changes their mind and revokes"
eli_id="$(as_member eli consent list --json | sed -n 's/^ *"id": "\([0-9a-f]*\)".*/\1/p' | head -n 1)"
as_member eli consent revoke "$eli_id" -o "$work/facilitator/inbox/revocations/eli.age" 2>/dev/null
as_member eli consent list

say "The facilitator builds the summary, against the roster"
build() {
  "$tend_bin" retreat build -i keys/retreat-identity.txt --roster roster.txt inbox/*.age \
    --revocations inbox/revocations/*.age --force "$@"
}
build -o "$out/summary.md"
build -o "$out/summary.html"
build -o "$out/circle-notes.md" --template "$here/templates/circle-notes.md.j2" \
  --title "Notes for the opening circle"

say "Done"
echo "The retreat summaries are in $out:"
ls -1 "$out"
