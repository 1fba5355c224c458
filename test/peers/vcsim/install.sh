#!/usr/bin/env bash
# Installs VMware's vCenter simulator for Ferry's vmware peer suite: Debian bookworm's
# golang-github-vmware-govmomi-dev (govmomi 0.24, the simulator library) and golang-go, then
# builds test/peers/vcsim/vcsim/main.go (Debian ships no vcsim command) into test/peers/.cache/.
# The tests start and stop vcsim themselves, on loopback. Idempotent: a build whose inputs did not
# change is kept. Fails (non-zero) if anything is missing. Installing needs root on Debian bookworm.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/test/peers/.cache"
library=/usr/share/gocode/src/github.com/vmware/govmomi
mkdir -p "$cache"

if ! command -v go >/dev/null 2>&1 || [ ! -f "$library/simulator/model.go" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "vcsim peer: golang-go and golang-github-vmware-govmomi-dev are missing and installing them needs root" >&2
    exit 1
  fi
  echo "vcsim peer: installing golang-go golang-github-vmware-govmomi-dev"
  # Another job may hold the dpkg lock (a concurrent install): wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends golang-go golang-github-vmware-govmomi-dev
fi

for f in simulator/model.go simulator/vpx/service_content.go vapi/simulator/simulator.go; do
  if [ ! -f "$library/$f" ]; then
    echo "vcsim peer: $library/$f is missing (is golang-github-vmware-govmomi-dev installed?)" >&2
    exit 1
  fi
done

version="$(dpkg-query -W -f='${Version}' golang-github-vmware-govmomi-dev 2>/dev/null || echo unknown)"
stamp="$(cat "$here/vcsim/main.go" | sha256sum | cut -d' ' -f1) $version $(go version)"
if [ ! -x "$cache/vcsim" ] || [ "$(cat "$cache/vcsim.stamp" 2>/dev/null)" != "$stamp" ]; then
  # GOPATH mode, no module proxy: an overlay GOPATH holds the main package, /usr/share/gocode
  # provides govmomi and its one dependency (google/uuid).
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/src/ferry-vcsim"
  cp "$here/vcsim/main.go" "$work/src/ferry-vcsim/main.go"
  echo "vcsim peer: building vcsim (about 30 s with a cold Go cache)"
  GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOFLAGS=-trimpath GOCACHE="$cache/go-build" go build -o "$cache/vcsim.new" ferry-vcsim
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
