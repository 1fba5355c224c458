#!/usr/bin/env bash
# Installs the Starlark reference implementation for Ferry's peer suite: Debian bookworm's
# golang-starlark-dev (starlark-go, January 2021 snapshot) and golang-go, then builds the
# `starlark` CLI from test/peers/starlark/cli/main.go into test/peers/.cache/.
# Idempotent; fails (non-zero) if anything is missing. Run as root on Debian bookworm.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/test/peers/.cache"
library=/usr/share/gocode/src/go.starlark.net
mkdir -p "$cache"

if ! command -v go >/dev/null 2>&1 || [ ! -f "$library/starlark/eval.go" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "starlark peer: golang-go and golang-starlark-dev are missing and installing them needs root" >&2
    exit 1
  fi
  echo "starlark peer: installing golang-go golang-starlark-dev"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends golang-go golang-starlark-dev
fi

for f in starlark/eval.go starlarktest/assert.star resolve/testdata/resolve.star syntax/testdata/errors.star; do
  if [ ! -f "$library/$f" ]; then
    echo "starlark peer: $library/$f is missing (is golang-starlark-dev installed?)" >&2
    exit 1
  fi
done

# Debian ships no cmd/starlark, so build our own main in GOPATH mode: an overlay GOPATH holds
# the main package, /usr/share/gocode provides go.starlark.net. No module proxy is needed.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/ferry-starlark-cli"
cp "$here/cli/main.go" "$work/src/ferry-starlark-cli/main.go"
export GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOFLAGS=-trimpath GOCACHE="$cache/go-build"
go build -o "$cache/starlark.new" ferry-starlark-cli
mv "$cache/starlark.new" "$cache/starlark"

if [ "$("$cache/starlark" -c 'print(json.encode(struct(a = [1, 2])))')" != '{"a":[1,2]}' ]; then
  echo "starlark peer: the built CLI does not work" >&2
  exit 1
fi

{
  echo "STARLARK_CLI=$cache/starlark"
  echo "STARLARK_TESTDATA=$library"
  echo "STARLARK_VERSION=$(dpkg-query -W -f='${Version}' golang-starlark-dev 2>/dev/null || echo unknown)"
} >"$cache/starlark.env"
echo "starlark peer: ready ($cache/starlark)"
