#!/usr/bin/env bash
# Builds the expr-lang peer for Ferry's expression suite: test/peers/expr-lang/peer/main.go with
# github.com/expr-lang/expr at the version migration-manager pins (v1.17.2) and google/uuid v1.6.0,
# in module mode from the Go module proxy, into test/peers/.cache/expr-lang-peer.
# EXPR_LANG_VERSION builds another version (e.g. v1.17.8) to compare.
# Idempotent: a build whose inputs did not change is kept. Fails (non-zero) if anything is missing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/test/peers/.cache"
version="${EXPR_LANG_VERSION:-v1.17.2}"
uuid_version=v1.6.0
mkdir -p "$cache"

if ! command -v go >/dev/null 2>&1; then
  echo "expr-lang peer: the go command is missing (Go 1.22 or later is needed; https://go.dev/dl/)" >&2
  exit 1
fi

stamp="$(sha256sum <"$here/peer/main.go" | cut -d' ' -f1) $version $uuid_version $(go version)"
if [ ! -x "$cache/expr-lang-peer" ] || [ "$(cat "$cache/expr-lang-peer.stamp" 2>/dev/null)" != "$stamp" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp "$here/peer/main.go" "$work/main.go"
  cat >"$work/go.mod" <<EOF
module ferry.test/expr-lang-peer

go 1.22

require (
	github.com/expr-lang/expr $version
	github.com/google/uuid $uuid_version
)
EOF
  echo "expr-lang peer: building with github.com/expr-lang/expr $version"
  (
    cd "$work"
    export GOFLAGS=-mod=mod GOCACHE="$cache/go-build" GOTOOLCHAIN=local
    go mod download github.com/expr-lang/expr github.com/google/uuid
    go build -trimpath -o "$cache/expr-lang-peer.new" .
  )
  mv "$cache/expr-lang-peer.new" "$cache/expr-lang-peer"
  echo "$stamp" >"$cache/expr-lang-peer.stamp"
fi

# Smoke test: it must answer a request, with the version asked for.
answer="$(printf '%s\n' '{"version": true}' '{"expression": "cpus >= 2 and has_tag(\"env\", \"pro\")", "instance": {"uuid": "42100001-6a1b-4c2d-8e3f-000000000001", "name": "a", "location": "/a", "cpus": 4, "config": {"tag.env": "prod"}}}' | "$cache/expr-lang-peer")"
if [ "$(echo "$answer" | head -1)" != "{\"expr\":\"$version\",\"go\":\"$(go env GOVERSION)\"}" ] || [ "$(echo "$answer" | tail -1)" != '{"ok":true,"value":true}' ]; then
  echo "expr-lang peer: the built peer does not answer as expected:" >&2
  echo "$answer" >&2
  exit 1
fi

{
  echo "EXPR_LANG_PEER=$cache/expr-lang-peer"
  echo "EXPR_LANG_VERSION=$version"
} >"$cache/expr-lang.env"
echo "expr-lang peer: ready ($cache/expr-lang-peer, expr-lang $version)"
