#!/usr/bin/env bash
# Runs the real-peer suites. Each folder under test/peers/ with an install.sh is a peer:
# install.sh installs and starts it (idempotent) and exports what the tests need by writing
# KEY=VALUE lines to test/peers/.cache/<peer>.env. A peer that cannot be installed fails the run:
# a suite that was asked to run never skips.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p test/peers/.cache
only="${FERRY_PEERS:-}"
peers=()
for dir in test/peers/*/; do
  name=$(basename "$dir")
  [ -f "$dir/install.sh" ] || continue
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
  peers+=("$name")
done
if [ ${#peers[@]} -eq 0 ]; then
  echo "test:peers: no peer suites found" >&2
  exit 1
fi
for name in "${peers[@]}"; do
  echo "== peer $name: install and start"
  bash "test/peers/$name/install.sh"
done
dirs=()
# With the trailing slash: vitest filters by substring, and test/peers/vcsim would also run vcsim-incus.
for name in "${peers[@]}"; do dirs+=("test/peers/$name/"); done
FERRY_PEERS_REQUIRED=1 npx vitest run --config vitest.peers.config.ts "${dirs[@]}"
