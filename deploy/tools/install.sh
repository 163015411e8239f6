#!/usr/bin/env bash
# Tools the deploy tests need, built from the Go module proxy into $DOUANE_HOME/bin (default .douane/bin):
# helm (lint and template the chart) and compose-check (validates deploy/compose.yaml with
# compose-go, the loader `docker compose config` uses). Idempotent: a tool of the right
# version is kept.
set -euo pipefail
cd "$(dirname "$0")/../.."

HELM_VERSION=${HELM_VERSION:-v3.22.0}
BIN=$(realpath -m "${DOUANE_HOME:-.douane}/bin")
mkdir -p "$BIN"

command -v go >/dev/null || { echo "Go is needed to build helm and compose-check (Debian: apt-get install golang)" >&2; exit 1; }

# A helm built by `go install` reports no patch version, so the version built is kept in a stamp.
if [ ! -x "$BIN/helm" ] || [ "$(cat "$BIN/.helm.version" 2>/dev/null)" != "$HELM_VERSION" ]; then
  echo "building helm $HELM_VERSION (a few minutes the first time)" >&2
  GOBIN="$BIN" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  echo "$HELM_VERSION" > "$BIN/.helm.version"
fi

stamp="$BIN/.compose-check.sha256"
sum=$(cat deploy/tools/compose-check/*.go deploy/tools/compose-check/go.* | sha256sum | cut -d' ' -f1)
if [ ! -x "$BIN/compose-check" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  echo "building compose-check" >&2
  (cd deploy/tools/compose-check && go build -o "$BIN/compose-check" .)
  echo "$sum" > "$stamp"
fi
