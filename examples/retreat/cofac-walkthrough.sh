#!/usr/bin/env bash
# A co-facilitated retreat from start to finish: two co-facilitators (a leader and a helper)
# each make a key, five members join the roster, the leader writes the plan, every member
# shares a report into it, one member revokes theirs, the helper batches the reports, the
# leader checks them and answers, both write their aggregate shares, and the leader builds
# the summary. Neither co-facilitator ever sees one member's figures.
#
# Usage: examples/retreat/cofac-walkthrough.sh [OUTDIR]
#   OUTDIR  where the summaries go [default: a new temporary folder]
#   TEND    the tend binary to use [default: build one with cargo, in release mode]
#
# Everything else happens in a temporary folder that is removed at the end.
set -euo pipefail

# The binary, folders, demo-only settings, members and helpers both walkthroughs use.
# shellcheck source=examples/retreat/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

say "The two co-facilitators each make a key (the leader and the helper)"
mkdir -p "$work/leader" "$work/helper/inbox" "$work/helper/revocations"
leader="$(cd "$work/leader" && "$tend_bin" retreat keygen -o leader-identity.txt)"
helper="$(cd "$work/helper" && "$tend_bin" retreat keygen -o helper-identity.txt)"
echo "leader: $leader" >&2
echo "helper: $helper" >&2

say "Five members start journals and join the roster"
for name in "${members[@]}"; do
  mkdir -p "$work/$name"
  printf 'demo passphrase for %s, never do this for real\n' "$name" >"$work/$name/passphrase"
  chmod 600 "$work/$name/passphrase"
  quietly as_member "$name" init
  as_member "$name" retreat join --purpose "$purpose" --name "${name^}" \
    2>/dev/null >>"$work/leader/roster.txt"
done
cp "$work/leader/roster.txt" "$work/helper/roster.txt"

say "They reflect over a few weeks"
amara_first="$(handle_of as_member amara write --on "3 weeks ago" -v equity=4 -v transparency=4 \
  "Named the pay gap in the finance circle instead of waiting for someone else to.")"
quietly as_member amara write --on "2 weeks ago" -v anti-oppression=2 -v equity=4 \
  "Took the evening slots again so newer members didn't have to. Noticing a pattern."
quietly as_member bex write --on "20 days ago" -v transparency=5 -v equity=4 \
  "Posted the sliding-scale numbers where every member can see them."
bex_second="$(handle_of as_member bex write --on "10 days ago" -v repair=3 -v anti-oppression=2 -v equity=3 \
  "Cut a colleague off in case review. Named it afterwards, listened, and apologised.")"
quietly as_member chidi write --on "18 days ago" -v equity=4 -v anti-oppression=4 \
  "Asked who had not spoken yet before we decided on the budget."
quietly as_member chidi write --on "6 days ago" -v transparency=2 -v equity=3 \
  "Shared the minutes late; two people felt left out of the decision."
quietly as_member dana write --on "15 days ago" -v equity=4 -v transparency=3 \
  "Sat with the question of who gets the new referrals, and asked the circle."
quietly as_member dana write --on "4 days ago" -v repair=4 -v equity=3 \
  "Followed up with a client after a rescheduled session, as promised."
quietly as_member eli write --on "12 days ago" -v equity=3 -v repair=2 \
  "Not sure I want to share this season. Writing it down anyway."

say "The leader writes the plan and reads its fingerprint to the circle"
cd "$work/leader"
"$tend_bin" retreat plan --purpose "$purpose" --leader "$leader" --helper "$helper" \
  --roster roster.txt --since "2 months ago" --until today --min-group 3 -o plan.json
cp plan.json "$work/helper/plan.json"

say "Each member shares a report into the plan: first Amara, with the preview she reads"
for name in "${members[@]}"; do cp plan.json "$work/$name/plan.json"; done
share() {
  local name="$1"
  shift
  (cd "$work/$name" && as_member "$name" share --plan plan.json \
    -o "$work/helper/inbox/$name.age" "$@")
}
# --yes: Amara has read the preview above it. Without a terminal, only --yes consents.
share amara --excerpt "$amara_first" --yes
share bex --excerpt "$bex_second" --name "Bex" --yes 2>/dev/null
share chidi --yes 2>/dev/null
share dana --yes 2>/dev/null
share eli --yes 2>/dev/null

say "Eli changes their mind and revokes; the revocation goes to the helper"
eli_id="$(as_member eli consent list --json | sed -n 's/^ *"id": "\([0-9a-f]*\)".*/\1/p' | head -n 1)"
as_member eli consent revoke "$eli_id" -o "$work/helper/revocations/eli.age" 2>/dev/null

say "The helper checks the reports against the roster and passes a shuffled batch on"
cd "$work/helper"
"$tend_bin" retreat aggregate --as helper -i helper-identity.txt --plan plan.json \
  --ledger helper-ledger.json --roster roster.txt inbox/*.age \
  --revocations revocations/*.age -o batch.age --state helper-state.age
cp batch.age "$work/leader/"

say "The leader checks every report's proof, adds up and answers"
cd "$work/leader"
"$tend_bin" retreat aggregate --as leader -i leader-identity.txt --plan plan.json \
  --ledger leader-ledger.json batch.age -o answer.age --share leader-share.age
cp answer.age "$work/helper/"

say "The helper finishes and hands over its aggregate share"
cd "$work/helper"
"$tend_bin" retreat aggregate --as helper -i helper-identity.txt --plan plan.json \
  --ledger helper-ledger.json --answer answer.age --state helper-state.age \
  --share helper-share.age
cp helper-share.age "$work/leader/"

say "The leader builds the summary from the two shares"
cd "$work/leader"
build() {
  "$tend_bin" retreat build -i leader-identity.txt --plan plan.json --roster roster.txt \
    leader-share.age helper-share.age --force "$@"
}
build -o "$out/summary.md"
build -o "$out/summary.html"

say "Offering the same reports again is refused (no summary with and without one member)"
cd "$work/helper"
if "$tend_bin" retreat aggregate --as helper -i helper-identity.txt --plan plan.json \
  --ledger helper-ledger.json --roster roster.txt inbox/*.age -o again.age \
  --state again-state.age; then
  echo "the helper should have refused a second batch" >&2
  exit 1
fi

say "Done"
echo "The retreat summaries are in $out:"
ls -1 "$out"
