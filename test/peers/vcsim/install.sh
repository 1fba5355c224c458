#!/usr/bin/env bash
# Builds VMware's vCenter simulator for Ferry's vmware peer suite: test/peers/vcsim/vcsim/*.go
# (Ferry's own small vcsim main, with the change tracking and disk exports the mover needs) with
# github.com/vmware/govmomi at the version migration-manager pins (v0.50.0), in module mode from
# the Go module proxy, into test/peers/.cache/vcsim.
# GOVMOMI_VERSION builds another version (e.g. v0.52.0) to compare.
# The tests start and stop vcsim themselves, on loopback. Idempotent: a build whose inputs did not
# change is kept. Fails (non-zero) if anything is missing. Needs Go 1.23 or later, no root.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/test/peers/.cache"
version="${GOVMOMI_VERSION:-v0.50.0}"
mkdir -p "$cache"

# govmomi's go.mod says go 1.23.0. The go first on PATH may be Debian bookworm's 1.19
# (/usr/bin/go), which would only say so halfway through the build: take the first that is new
# enough, the official install's included.
go=""
for candidate in "$(command -v go || true)" /usr/local/go/bin/go; do
  [ -n "$candidate" ] && [ -x "$candidate" ] || continue
  minor="$("$candidate" env GOVERSION | sed -nE 's/^go1\.([0-9]+).*/\1/p')"
  if [ -n "$minor" ] && [ "$minor" -ge 23 ]; then go="$candidate"; break; fi
done
if [ -z "$go" ]; then
  echo "vcsim peer: needs Go 1.23 or later (found: $(go version 2>/dev/null || echo none)); install it from https://go.dev/dl/" >&2
  exit 1
fi
export GOFLAGS=-mod=mod GOCACHE="$cache/go-build" GOTOOLCHAIN=local

stamp="$(cat "$here"/vcsim/*.go | sha256sum | cut -d' ' -f1) $version $("$go" version)"
if [ ! -x "$cache/vcsim" ] || [ "$(cat "$cache/vcsim.stamp" 2>/dev/null)" != "$stamp" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp "$here"/vcsim/*.go "$work/"
  cat >"$work/go.mod" <<EOF
module ferry.test/vcsim

go 1.23.0

require github.com/vmware/govmomi $version
EOF
  echo "vcsim peer: building vcsim with github.com/vmware/govmomi $version (2–3 min with a cold Go cache on 2 cores)"
  if ! (cd "$work" && "$go" mod download github.com/vmware/govmomi); then
    echo "vcsim peer: cannot download github.com/vmware/govmomi $version from GOPROXY=$("$go" env GOPROXY) (no network, or no such version?)" >&2
    exit 1
  fi
  # The build resolves govmomi's own dependencies (google/uuid…) into go.sum, from the proxy too.
  if ! (cd "$work" && "$go" build -trimpath -o "$cache/vcsim.new" .); then
    echo "vcsim peer: building vcsim against govmomi $version failed (see above)" >&2
    exit 1
  fi
  mv "$cache/vcsim.new" "$cache/vcsim"
  echo "$stamp" >"$cache/vcsim.stamp"
fi

# Smoke test: it must start on a free loopback port and say where.
out="$(mktemp)"
"$cache/vcsim" -l 127.0.0.1:0 >"$out" 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do
  grep -q 'GOVC_URL=' "$out" && break
  sleep 0.1
done
started="$(grep -c 'GOVC_URL=https://127.0.0.1:' "$out" || true)"
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
rm -f "$out"
if [ "$started" != "1" ]; then
  echo "vcsim peer: the built vcsim did not start" >&2
  exit 1
fi

{
  echo "VCSIM_BIN=$cache/vcsim"
  echo "VCSIM_VERSION=$version"
} >"$cache/vcsim.env"
echo "vcsim peer: ready ($cache/vcsim, govmomi $version)"
