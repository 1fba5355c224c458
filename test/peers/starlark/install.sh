#!/usr/bin/env bash
# Installs the Starlark reference implementation for Ferry's peer suite: go.starlark.net at the
# version migration-manager pins (test/peers/starlark/cli/go.mod, checked against go.sum), fetched
# through the Go module proxy, and Ferry's `starlark` CLI (test/peers/starlark/cli/main.go) built
# against it into test/peers/.cache/. The conformance files are read from that module version in
# the Go module cache. Idempotent: a build whose inputs did not change is kept. Fails (non-zero)
# if anything is missing. Needs Go and the module proxy (or a filled module cache).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/test/peers/.cache"
mkdir -p "$cache"

# The Go on PATH may be Debian bookworm's 1.19, which cannot build this module graph. Without a
# Go 1.23 or later, the old Go fetches migration-manager's toolchain (go1.24.8) from the module
# proxy, as golang.org/toolchain (its zip keeps no exec bits; Go's own toolchain switch sets
# them the same way).
go=""
for candidate in "$(command -v go || true)" /usr/local/go/bin/go; do
  [ -n "$candidate" ] && [ -x "$candidate" ] || continue
  minor="$("$candidate" env GOVERSION | sed -nE 's/^go1\.([0-9]+).*/\1/p')"
  if [ -n "$minor" ] && [ "$minor" -ge 23 ]; then go="$candidate"; break; fi
done
if [ -z "$go" ] && command -v go >/dev/null 2>&1; then
  toolchain="golang.org/toolchain@v0.0.1-go1.24.8.$(go env GOOS)-$(go env GOARCH)"
  echo "starlark peer: fetching $toolchain from the module proxy"
  dir="$(cd "$cache" && GO111MODULE=on GOFLAGS=-mod=mod go mod download -json "$toolchain" | sed -nE 's/^\t"Dir": "(.*)",$/\1/p')"
  if [ -n "$dir" ] && [ -f "$dir/bin/go" ]; then
    chmod u+w "$dir" "$dir/bin" "$dir/pkg/tool"/* 2>/dev/null || true
    chmod +x "$dir/bin"/* "$dir/pkg/tool"/*/* 2>/dev/null || true
    go="$dir/bin/go"
  fi
fi
if [ -z "$go" ]; then
  echo "starlark peer: needs Go 1.23 or later, or any Go and the module proxy (found: $(go version 2>/dev/null || echo none)); install it from https://go.dev/dl" >&2
  exit 1
fi

export GOFLAGS="-trimpath -mod=readonly" GOCACHE="$cache/go-build" GOTOOLCHAIN=local
cd "$here/cli"
version="$("$go" list -m -f '{{.Version}}' go.starlark.net)"
stamp="$(cat main.go go.mod go.sum | sha256sum | cut -d' ' -f1) $("$go" env GOVERSION)"
if [ ! -x "$cache/starlark" ] || [ "$(cat "$cache/starlark.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "starlark peer: building the starlark CLI against go.starlark.net $version"
  "$go" build -o "$cache/starlark.new" .
  mv "$cache/starlark.new" "$cache/starlark"
  echo "$stamp" >"$cache/starlark.stamp"
fi
testdata="$("$go" list -m -f '{{.Dir}}' go.starlark.net)"

for f in starlark/eval.go starlarktest/assert.star starlark/testdata/bytes.star resolve/testdata/resolve.star syntax/testdata/errors.star; do
  if [ ! -f "$testdata/$f" ]; then
    echo "starlark peer: $testdata/$f is missing (is the module cache complete?)" >&2
    exit 1
  fi
done

if [ "$("$cache/starlark" -set -c 'print(json.encode(struct(a = [1, 2], b = sorted(set([3])))), b"\x41")')" != '{"a":[1,2],"b":[3]} A' ]; then
  echo "starlark peer: the built CLI does not work" >&2
  exit 1
fi

{
  echo "STARLARK_CLI=$cache/starlark"
  echo "STARLARK_TESTDATA=$testdata"
  echo "STARLARK_VERSION=$version"
} >"$cache/starlark.env"
echo "starlark peer: ready ($cache/starlark, go.starlark.net $version)"
