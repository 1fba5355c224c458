#!/usr/bin/env bash
# The mover's readiness check as a process needs both peers: vcsim to copy a disk from, and the
# guest tools (ntfs-3g, hivex, xorriso; root) to build a Windows-like disk and check it. Their own
# install scripts are idempotent: running them again here costs a fraction of a second when
# test:peers has run them already.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/../vcsim/install.sh"
bash "$here/../guest-tools/install.sh"
