#!/usr/bin/env bash
# Makes the Jaeger v2 image the integration tests need available on a machine
# with no image registry (see the Jaeger section of DESIGN.md):
#   1. a Docker engine: Debian's docker.io is installed and dockerd started in
#      the background when no engine answers;
#   2. the pinned Jaeger, built statically from the Go module proxy (Jaeger tags
#      v2.x releases without a /v2 module path, so the release is pinned by its
#      commit) and cached, so a second run costs seconds;
#   3. a FROM-scratch image of that binary, tagged $JAEGER_IMAGE.
# On a laptop with a registry none of this is needed: the tests pull the
# official jaegertracing/jaeger image of the same version.
set -euo pipefail

# Jaeger tags each release twice on one commit (v2.13.0 and v1.76.0) and its
# module has no /v2 path, so the Go module proxy knows this release as v1.76.0.
# The proxy reachable here serves tagged versions only (a commit or
# pseudo-version such as v2.20.0's answers 403), hence the newest release it
# serves. The official image of the same release is jaegertracing/jaeger:2.13.0.
JAEGER_VERSION="2.13.0"
JAEGER_MODULE_VERSION="v1.76.0"
JAEGER_COMMIT="63b27e1810a710ac54dc4522da0538e540bdc545"
JAEGER_IMAGE="${JAEGER_IMAGE:-flo-telemetry/jaeger:${JAEGER_VERSION}}"
CACHE_DIR="${FLO_TELEMETRY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flo-telemetry}"
JAEGER_BIN="$CACHE_DIR/jaeger-$JAEGER_VERSION/jaeger"
DOCKERD_LOG="$CACHE_DIR/dockerd.log"

say() { printf '[jaeger-image] %s\n' "$*"; }
fail() { printf '[jaeger-image] error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

engine_answers() { docker info >/dev/null 2>&1; }

install_docker_engine() {
  command -v dockerd >/dev/null 2>&1 && return
  command -v apt-get >/dev/null 2>&1 ||
    fail "no Docker engine and no apt-get to install one: install Docker, start it, and rerun"
  say "installing Debian's docker.io"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
}

start_docker_engine() {
  say "starting dockerd (log: $DOCKERD_LOG)"
  mkdir -p "$CACHE_DIR"
  # A dockerd killed with its machine's session leaves its pid file behind,
  # and a new dockerd refuses to start while it exists.
  local pid_file=/var/run/docker.pid
  if [ -f "$pid_file" ] && ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    as_root rm -f "$pid_file"
  fi
  # setsid: the engine outlives this script; CI's later steps need it.
  as_root setsid dockerd >"$DOCKERD_LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    engine_answers && return
    sleep 1
  done
  tail -n 20 "$DOCKERD_LOG" >&2 || true
  fail "dockerd did not answer within 60 s (log above)"
}

ensure_docker_engine() {
  command -v docker >/dev/null 2>&1 || install_docker_engine
  engine_answers && { say "Docker engine answers"; return; }
  install_docker_engine
  start_docker_engine
  say "Docker engine started: $(docker version --format '{{.Server.Version}}')"
}

build_jaeger_binary() {
  if [ -x "$JAEGER_BIN" ]; then
    say "cached Jaeger $JAEGER_VERSION binary: $JAEGER_BIN"
    return
  fi
  command -v go >/dev/null 2>&1 || fail "Go is needed to build Jaeger and is not on PATH"
  say "building Jaeger $JAEGER_VERSION (module $JAEGER_MODULE_VERSION, commit $JAEGER_COMMIT) from the Go module proxy; first time takes minutes"
  # Built inside the downloaded module so that Jaeger's own go.mod, go.sum and
  # replace directives apply exactly as released (`go install pkg@version`
  # refuses modules with replace directives).
  local download module_dir out
  download="$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json \
    "github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION" 2>&1)" ||
    fail "go mod download of Jaeger $JAEGER_MODULE_VERSION failed: $download"
  module_dir="$(printf '%s\n' "$download" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$module_dir" ] || fail "go mod download of Jaeger $JAEGER_MODULE_VERSION gave no module folder: $download"
  mkdir -p "$(dirname "$JAEGER_BIN")"
  out="$JAEGER_BIN.tmp"
  # Renamed into place only once the build succeeded: a failed build caches nothing.
  (cd "$module_dir" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath -ldflags="-s -w" -o "$out" ./cmd/jaeger)
  mv "$out" "$JAEGER_BIN"
}

build_image() {
  if docker image inspect "$JAEGER_IMAGE" >/dev/null 2>&1; then
    say "image $JAEGER_IMAGE already present"
    return
  fi
  local context
  context="$(mktemp -d)"
  cp "$JAEGER_BIN" "$context/jaeger"
  mkdir -p "$context/tmp"
  # Same layout as the official image where the tests rely on it: the binary is
  # the entrypoint and listens on all interfaces of the container.
  cat >"$context/Dockerfile" <<'EOF'
FROM scratch
COPY jaeger /cmd/jaeger/jaeger-linux
COPY tmp /tmp
ENV JAEGER_LISTEN_HOST=0.0.0.0
EXPOSE 4317 4318 16686 8889 13133
ENTRYPOINT ["/cmd/jaeger/jaeger-linux"]
EOF
  say "building image $JAEGER_IMAGE FROM scratch"
  docker build --quiet --tag "$JAEGER_IMAGE" \
    --label "org.opencontainers.image.version=$JAEGER_VERSION" \
    --label "org.opencontainers.image.revision=$JAEGER_COMMIT" "$context" >/dev/null
  rm -rf "$context"
}

ensure_docker_engine
build_jaeger_binary
build_image
say "ready: $JAEGER_IMAGE"
