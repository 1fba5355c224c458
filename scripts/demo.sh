#!/usr/bin/env bash
# The README's main job, on the example campaign: validate it, see which VMs a batch's expression
# selects from the simulated inventory, and where the placement scriptlets put them.
# Runs the built CLI (npm run build first).
set -euo pipefail
cd "$(dirname "$0")/.."
ferry() { node bin/ferry.js "$@"; }
step() { printf '\n\033[1m$ ferry %s\033[0m\n' "$*"; ferry "$@"; }

step validate --repo examples/repo
step query "location matches '^/DC1/vm/web/' and cpus <= 8 and not has_tag('lifecycle', 'decommission')" --repo examples/repo
step placement wave-1-web --repo examples/repo --instance web-api-01
step placement wave-3-windows --repo examples/repo --instance app-01
