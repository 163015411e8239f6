#!/usr/bin/env bash
# Build Douane's image with podman and run its components from it, on a machine that reaches the
# Debian and PyPI mirrors but no container registry (the development machine). Not part of
# `make test`: it needs root, podman and a few minutes (`make image-check`).
#
#   1. a base image like python:3.11-slim-bookworm, made from Debian packages (debootstrap) and
#      imported, since no registry can be pulled from;
#   2. `podman build` of deploy/docker/Dockerfile on that base (PYTHON_IMAGE build argument);
#   3. against a broker on this host (`douane kafka up`) and the AI provider stand-in:
#      `kafka topics`, `gateway serve` (a call through it with the tenant key, /healthz, /readyz),
#      `demo` (the whole pipeline ending in PDFs and a verified ledger), `ledger verify`, all run
#      from the image as its non-root user.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BASE=localhost/python:3.11-slim-bookworm
IMAGE=${DOUANE_IMAGE:-localhost/douane:dev}
WORK=${SMOKE_WORK:-/tmp/douane-podman-smoke}
PY=${PY:-.venv/bin/python}
export DOUANE_HOME=$WORK/home DOUANE_KAFKA_PORT=${SMOKE_KAFKA_PORT:-29092} DOUANE_KAFKA_CONTROLLER_PORT=${SMOKE_KAFKA_CONTROLLER_PORT:-29093}
GATEWAY_PORT=${SMOKE_GATEWAY_PORT:-28080}
# crun 1.8 refuses hybrid cgroups and the sandbox refuses raising rlimits: runc, host-sized limits.
PODMAN=(podman --runtime runc)
LIMITS=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
RUN=("${PODMAN[@]}" run --rm --network=host "${LIMITS[@]}")

say() { printf '\n== %s\n' "$*"; }

base_image() {
  if podman image exists "$BASE"; then return; fi
  say "base image from Debian packages (debootstrap bookworm + python3.11)"
  local rootfs=$WORK/rootfs
  rm -rf "$rootfs" && mkdir -p "$WORK"
  debootstrap --variant=minbase --include=python3.11,python3.11-venv,python3-pip,ca-certificates \
    bookworm "$rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log"
  ln -sf python3.11 "$rootfs/usr/bin/python"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"  # this host's mirrors' CA
  rm -f "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | podman import --change 'CMD ["python3"]' - "$BASE" >/dev/null
}

build() {
  say "podman build $IMAGE"
  "${PODMAN[@]}" build --network=host "${LIMITS[@]}" \
    --build-arg PYTHON_IMAGE="$BASE" -f deploy/docker/Dockerfile -t "$IMAGE" . >"$WORK/build.log"
  podman image inspect "$IMAGE" --format 'user {{.Config.User}}, entrypoint {{.Config.Entrypoint}}, size {{.Size}} bytes'
  "${RUN[@]}" --entrypoint sh "$IMAGE" -c 'id -u; for t in gcc cc make; do command -v $t && exit 1; done; echo no build tools'
}

gateway_call() {
  "$PY" - "$GATEWAY_PORT" <<'EOF'
import sys, time, httpx
port = sys.argv[1]
for _ in range(120):
    try:
        if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
            break
    except httpx.HTTPError:
        time.sleep(1)
body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Ship to Lena, lena.vogt@example.de"}]}
r = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=body, timeout=60,
               headers={"X-Douane-Key": "dk-shop-berlin-secret", "Authorization": "Bearer sk-test"})
print("call:", r.status_code, r.headers.get("x-douane-action"), r.headers.get("x-douane-decision"))
print("readyz:", httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).text)
sys.exit(0 if r.status_code == 200 else 1)
EOF
}

run_components() {
  say "broker on this host"
  mkdir -p "$DOUANE_HOME/kafka" && ln -sfn "$ROOT/.douane/kafka/libs" "$DOUANE_HOME/kafka/libs"  # make kafka-jars
  "$PY" -m douane.cli kafka up
  local bootstrap=127.0.0.1:$DOUANE_KAFKA_PORT
  local env=(-e DOUANE_KAFKA_BOOTSTRAP="$bootstrap" -e DOUANE_CONTENT_KEY=smoke-content-key)
  say "kafka topics (from the image)"
  "${RUN[@]}" "${env[@]}" "$IMAGE" kafka topics

  say "gateway serve (from the image) in front of the provider stand-in"
  coproc STANDIN { "$PY" -m deploy.standins.llm; }
  read -r origin <&"${STANDIN[0]}"
  mkdir -p "$WORK/config"
  sed '/^spool_dir/d' deploy/examples/gateway.yaml >"$WORK/config/smoke-gateway.yaml"
  printf 'spool_dir: /var/lib/douane/spool\nupstreams:\n  api.openai.com: %s\n' "$origin" >>"$WORK/config/smoke-gateway.yaml"
  "${PODMAN[@]}" run -d --name douane-smoke-gateway --network=host "${LIMITS[@]}" \
    "${env[@]}" -v "$WORK/config/smoke-gateway.yaml:/etc/douane/examples/smoke-gateway.yaml:ro" "$IMAGE" \
    gateway serve --config /etc/douane/examples/smoke-gateway.yaml --host 127.0.0.1 --port "$GATEWAY_PORT" >/dev/null
  gateway_call || { podman logs douane-smoke-gateway | tail -20; return 1; }
  podman rm -f douane-smoke-gateway >/dev/null
  kill "$STANDIN_PID" 2>/dev/null || true

  say "demo (from the image): the whole pipeline, PDFs, ledger"
  "${RUN[@]}" "${env[@]}" -v "$WORK/out:/var/lib/douane" "$IMAGE" demo --events 300 | tail -25
  ls "$WORK"/out/runs/latest/reports/*.pdf

  say "ledger verify (from the image) on the demo's store"
  "${RUN[@]}" "${env[@]}" -v "$WORK/out:/var/lib/douane:ro" "$IMAGE" ledger verify \
    --store /var/lib/douane/runs/latest/store --kafka
}

cleanup() {
  podman rm -f douane-smoke-gateway >/dev/null 2>&1 || true
  "$PY" -m douane.cli kafka down >/dev/null 2>&1 || true
}

mkdir -p "$WORK/out" && chmod 777 "$WORK/out"  # the image's user (10001) writes the demo's run there
trap cleanup EXIT
base_image
if [[ -z "${SMOKE_SKIP_BUILD:-}" ]]; then build; fi  # SMOKE_SKIP_BUILD=1: run what $DOUANE_IMAGE holds
run_components
say "image checked"
