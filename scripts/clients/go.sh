#!/usr/bin/env bash
# Go client tests for newscorpus (tests/clients/go/):
#
#   ./scripts/clients/go.sh
#
# 1. installs, with apt-get and only when missing, Debian's Go toolchain,
#    protoc, protoc-gen-go, protoc-gen-go-grpc and the Go libraries in GOPATH
#    form under /usr/share/gocode: grpc, protobuf APIv2 (google.golang.org/protobuf),
#    github.com/golang/protobuf 1.5 (the APIv2-backed one: grpc alone pulls
#    golang-github-golang-protobuf-1-3-dev, and with 1.3 the client panics
#    "protobuf tag not enough fields"; 1-5 conflicts with and replaces it) and
#    genproto (google.golang.org/genproto/googleapis/rpc/errdetails, and
#    googleapis/api/annotations, which the stubs import for
#    google/api/field_behavior.proto);
# 2. generates Go stubs from proto/ with protoc, as buf.gen.yaml's Go plugins
#    do, into .tools/go-client/gopath/src/github.com/newscorpus/newscorpus/gen/go/newscorpus/v1
#    (the go_package import path; GOPATH mode, nothing downloaded); if no
#    GOPATH entry has google.golang.org/genproto/googleapis/api/annotations,
#    generates it there too from the vendored proto/google/api/field_behavior.proto;
# 3. runs `go vet` and `go test` on tests/clients/go (and `go vet` on its
#    example/, the program README.md shows, which TestReadmeExample builds
#    and runs) with GO111MODULE=off and GOPROXY=off. TestMain starts the
#    server on a free loopback port.
#
# Nothing is written under tests/. Exits non-zero on any failure. Works from
# any directory, as root on a fresh Debian 12 machine with no stdin (CI=true).
#
# Env: NEWSCORPUS_BIN   server binary (default: ${CARGO_TARGET_DIR:-target}/debug/newscorpus)
#      SKIP_INSTALL=1   install nothing
#      GO_TEST_FLAGS    extra `go test` flags (default: -count=1 -v)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
suite=$root/tests/clients/go
tools=$root/.tools/go-client
gopath=$tools/gopath
gen=$gopath/src/github.com/newscorpus/newscorpus/gen/go
export NEWSCORPUS_ROOT=$root
export NEWSCORPUS_BIN=${NEWSCORPUS_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/newscorpus}
export DEBIAN_FRONTEND=noninteractive NO_COLOR=1
started=$(date +%s)
note() { printf '  [go] %s\n' "$*"; }

# --- Debian packages ------------------------------------------------------------------------
# package -> a file it installs (checked instead of dpkg, so a toolchain
# installed some other way counts too).
declare -A wanted=(
  [golang-go]=/usr/bin/go
  [protobuf-compiler]=/usr/bin/protoc
  [protoc-gen-go]=/usr/bin/protoc-gen-go
  [protoc-gen-go-grpc]=/usr/bin/protoc-gen-go-grpc
  [golang-google-grpc-dev]=/usr/share/gocode/src/google.golang.org/grpc/server.go
  [golang-google-protobuf-dev]=/usr/share/gocode/src/google.golang.org/protobuf/proto/proto.go
  [golang-github-golang-protobuf-1-5-dev]=/usr/share/gocode/src/github.com/golang/protobuf/proto/registry.go
  [golang-google-genproto-dev]=/usr/share/gocode/src/google.golang.org/genproto/googleapis/rpc/errdetails/error_details.pb.go
)
missing=()
for package in "${!wanted[@]}"; do
  [ -e "${wanted[$package]}" ] || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "${SKIP_INSTALL:-}" = 1 ] && { echo "missing ${missing[*]} and SKIP_INSTALL=1" >&2; exit 1; }
  note "apt-get install ${missing[*]}"
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$root/.tools/apt-go.log" 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >"$root/.tools/apt-go.log" 2>&1 \
      || { cat "$root/.tools/apt-go.log" >&2; exit 1; }
  fi
fi

# GOPATH mode: our generated code first, then Debian's libraries. No module
# proxy, no network: everything is already on disk.
export GO111MODULE=off GOPROXY=off GOFLAGS= GOTOOLCHAIN=local
export GOPATH=$gopath:/usr/share/gocode
export GOCACHE=$tools/cache
export CGO_ENABLED=0
note "$(go version); $(protoc --version); $(protoc-gen-go --version 2>&1); $(protoc-gen-go-grpc --version 2>&1)"

# --- generate ---------------------------------------------------------------------------------
# Same plugins and options as buf.gen.yaml (paths=source_relative under gen/go),
# with gen/go placed where GOPATH finds the go_package import path
# github.com/newscorpus/newscorpus/gen/go/newscorpus/v1.
mkdir -p "$tools"
rm -rf "$gen"
mkdir -p "$gen"
(
  cd "$root/proto"
  protoc -I . \
    --go_out="$gen" --go_opt=paths=source_relative \
    --go-grpc_out="$gen" --go-grpc_opt=paths=source_relative \
    newscorpus/v1/*.proto
)
# The stubs import google.golang.org/genproto/googleapis/api/annotations (the
# go_package of google/api/field_behavior.proto): Debian's genproto has it.
# Without it, generate that one file into our GOPATH (package annotations).
annotations=src/google.golang.org/genproto/googleapis/api/annotations
rm -rf "${gopath:?}/src/google.golang.org"
if [ ! -e "/usr/share/gocode/$annotations/field_behavior.pb.go" ]; then
  (cd "$root/proto" && protoc -I . --go_out="$gopath/src" --go_opt=paths=import google/api/field_behavior.proto)
  note "generated: $gopath/$annotations/field_behavior.pb.go"
fi
note "generated: $(cd "$gen" && find . -name '*.go' | sort | tr '\n' ' ')"

# --- vet, build, test -------------------------------------------------------------------------
[ -x "$NEWSCORPUS_BIN" ] || { echo "server binary not found: $NEWSCORPUS_BIN (cargo build, or set NEWSCORPUS_BIN)" >&2; exit 1; }
note "server: $NEWSCORPUS_BIN"
cd "$suite"
go vet ./...
rc=0
# shellcheck disable=SC2086 # GO_TEST_FLAGS is a list of flags
go test ${GO_TEST_FLAGS:--count=1 -v} . </dev/null || rc=$?
note "took $(( $(date +%s) - started ))s, exit $rc"
exit "$rc"
