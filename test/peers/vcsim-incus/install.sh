#!/usr/bin/env bash
# The vCenter-to-Incus end to end needs both peers: the Incus daemon and the vcsim build. Their
# own install scripts are idempotent, so running them again here costs a fraction of a second
# when test:peers has run them already.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/../incus/install.sh"
bash "$here/../vcsim/install.sh"
