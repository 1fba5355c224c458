#!/usr/bin/env bash
# The README's main job: the example campaign, end to end, on Ferry's built-in simulator — in a
# scratch copy with its own Git history and its own "origin" (a bare repository), so nothing is
# ever written into this project's history.
#
#   1. validate the campaign;
#   2. a pull request starts the web wave: plan it, merge it;
#   3. apply until idle (the simulator's clock jumps from event to event): the pilot and the web
#      wave migrate, and the network team's DMZ change turns two frontends into conflicts;
#   4. status, the conflicts in the queue, tonight's schedule, explain, and the conflict report on the status branch;
#   5. a pull request fixes it (the scriptlet and the NetworkOverride name dmz-v2; two
#      Resolutions): plan it, merge it;
#   6. apply until idle again, and the final status.
#
# Runs the built CLI (npm run build first). FERRY_DEMO_DIR=DIR keeps the scratch copy there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="${FERRY_DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ferry-demo.XXXXXX")}"
mkdir -p "$scratch"
started=$SECONDS

ferry() { node "$root/bin/ferry.js" "$@"; }
bold=$'\033[1m' dim=$'\033[2m' off=$'\033[0m'
if [ -n "${NO_COLOR:-}" ] || [ ! -t 1 ]; then bold='' dim='' off=''; fi
say() { printf '\n%s## %s%s\n' "$bold" "$*" "$off"; }
run() { printf '%s$ %s%s\n' "$dim" "$*" "$off"; "$@"; }
quiet_git() { git "$@" >/dev/null 2>&1; }

export GIT_AUTHOR_NAME="Demo Operator" GIT_AUTHOR_EMAIL="operator@example.com"
export GIT_COMMITTER_NAME="Demo Operator" GIT_COMMITTER_EMAIL="operator@example.com"

rm -rf "$scratch/origin.git" "$scratch/campaign"
git init -q --bare -b main "$scratch/origin.git"
cp -R "$root/examples/repo" "$scratch/campaign"
cd "$scratch/campaign"
git init -q -b main
git remote add origin "$scratch/origin.git"
git add -A && quiet_git commit -m "The DC1 exit campaign"
quiet_git push -u origin main
echo "scratch copy: $scratch/campaign (origin: $scratch/origin.git)"

say "1. The campaign is valid"
run ferry validate

say "2. A pull request starts the web wave (the pilot is already running)"
quiet_git switch -c start-web-wave
sed -i.bak 's/^  state: defined$/  state: running/' batches/wave-1-web.yaml && rm batches/wave-1-web.yaml.bak
git add -A && quiet_git commit -m "Start the web wave"
run git diff --stat main
run ferry plan
quiet_git switch main
quiet_git merge --no-ff start-web-wave -m "Merge pull request: start the web wave"
quiet_git push origin main

say "3. The reconciler applies until nothing can progress (simulated clock)"
run ferry apply --until-idle

say "4. Where things stand"
run ferry status
run ferry queue --status conflict
run ferry schedule --within 24h
run ferry explain web-fe-01
printf '%s$ git show origin/ferry/status:CONFLICTS.md%s\n' "$dim" "$off"
git show origin/ferry/status:CONFLICTS.md | sed -n '1,30p'

say "5. A pull request fixes the conflict: the DMZ port group now maps to dmz-v2"
quiet_git switch -c fix-dmz
sed -i.bak 's/^  network: dmz$/  network: dmz-v2/' overrides/networks.yaml && rm overrides/networks.yaml.bak
sed -i.bak 's/"dmz", "bridged"/"dmz-v2", "bridged"/' batches/wave-1-web.star && rm batches/wave-1-web.star.bak
run ferry resolve wave-1-web web-fe-01 --action resolve --comment "DMZ moved to dmz-v2 (CHG-2231)"
run ferry resolve wave-1-web web-fe-02 --action resolve --comment "DMZ moved to dmz-v2 (CHG-2231)"
git add -A && quiet_git commit -m "Map the DMZ to dmz-v2 and resolve the two frontends"
run git diff --stat main
run ferry plan
quiet_git switch main
quiet_git merge --no-ff fix-dmz -m "Merge pull request: fix the DMZ conflicts"
quiet_git push origin main

say "6. Apply again: the frontends cut over in the second night"
run ferry apply --until-idle
run ferry status

say "Done in $((SECONDS - started)) s of wall time"
echo "Explore: cd $scratch/campaign && git log --oneline origin/ferry/status | head"
