"""The compose file and the Helm chart: valid, and naming only commands, options, settings,
ports, probe paths and metrics that exist in the code.

compose-check (compose-go, the loader of `docker compose config`) and helm are built by
`deploy/tools/install.sh` (`make deploy-tools`, which `make test` runs); the rendered
manifests are checked against the Kubernetes OpenAPI schemas that the kubernetes-validate
package ships, so no network is needed.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import kubernetes_validate
import pytest
import typer
import yaml

from douane.cli.main import app
from douane.settings import Settings

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
CHART = DEPLOY / "helm" / "douane"
BIN = (Settings().home / "bin").absolute()
K8S_VERSION = "1.33.0"
"""Rendered and validated for this Kubernetes version (a helm built from source assumes 1.20)."""
CUSTOM_KINDS = {"ServiceMonitor", "PrometheusRule"}
NOT_SETTINGS = {"DOUANE_LOG_LEVEL"}  # read by the CLI's --log-level option (envvar), not by Settings
DOUANE_IMAGE = re.compile(r"(^|/)douane[:@]|\$\{DOUANE_IMAGE")
ROUTES = {"gateway": ROOT / "collector/gateway/app.py", "inference": ROOT / "inference/serve.py"}


def _ledger_key() -> Path:
    """A throwaway ledger key pair for rendering (the chart requires one; none is kept in the repo)."""
    from stream.store.signing import load_or_create

    path = Path(tempfile.mkdtemp(prefix="douane-chart-")) / "ledger.ed25519"
    load_or_create(path)
    return path


LEDGER_KEY = _ledger_key()


def _tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{path} is missing: run `make deploy-tools` (deploy/tools/install.sh)"
    return str(path)


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


# ---- compose -------------------------------------------------------------------------------

@pytest.mark.parametrize("profiles", [(), ("cpu",), ("gpu",), ("cpu", "observability")])
def test_compose_file_is_valid(profiles: tuple[str, ...]) -> None:
    args = [a for p in profiles for a in ("--profile", p)]
    services = _run(_tool("compose-check"), str(DEPLOY / "compose.yaml"), *args).split()
    assert {"kafka", "topics", "gateway", "worker", "sink"} <= set(services)
    if "gpu" in profiles:
        assert {"vllm", "inference-gpu"} <= set(services)


def test_compose_check_refuses_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text((DEPLOY / "compose.yaml").read_text().replace('command: ["kafka", "topics"]', "comand: x"))
    done = subprocess.run([_tool("compose-check"), str(broken)], capture_output=True, text=True)
    assert done.returncode == 1 and "comand" in done.stderr


def _compose_containers() -> list[tuple[str, list[str], dict, list[int]]]:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    out = []
    for name, service in compose["services"].items():
        if DOUANE_IMAGE.search(str(service.get("image", ""))):
            ports = [int(p.split(":")[-1]) for p in service.get("ports", [])]
            out.append((name, service["command"], service.get("environment", {}), ports))
    return out


# ---- helm ----------------------------------------------------------------------------------

def _helm_values(*extra: str) -> list[str]:
    files = [f"config.files.{p.name.replace('.', chr(92) + '.')}={p}" for p in sorted((DEPLOY / "examples").glob("*.yaml"))]
    return [a for f in files for a in ("--set-file", f)] + ["--set", "secrets.contentKey=test-key", "--set-file",
            f"secrets.ledgerKey={LEDGER_KEY},secrets.ledgerPublicKey={LEDGER_KEY}.pub"] + list(extra)


@cache
def _rendered(*extra: str) -> tuple[dict, ...]:
    text = _run(_tool("helm"), "template", "shop", str(CHART), "--kube-version", K8S_VERSION, *_helm_values(*extra))
    return tuple(d for d in yaml.safe_load_all(text) if d)


VARIANTS = [(), ("--set", "inference.engine=openai"), ("--set", "networkPolicy.enabled=false,metrics.serviceMonitor=false"),
            ("--set", "store.url=s3://evidence/douane,store.s3Endpoint=http://minio:9000,sink.replicas=2,"
                      "ledgerVerify.pushGateway=pushgateway.monitoring:9091")]


def test_chart_lints() -> None:
    _run(_tool("helm"), "lint", "--strict", "--kube-version", K8S_VERSION, str(CHART), *_helm_values())


@pytest.mark.parametrize("extra", VARIANTS, ids=["static", "gpu", "bare", "bucket"])
def test_rendered_manifests_match_the_kubernetes_schemas(extra: tuple[str, ...]) -> None:
    docs = _rendered(*extra)
    for doc in docs:
        if doc["kind"] in CUSTOM_KINDS:
            continue
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    kinds = {d["kind"] for d in docs}
    assert {"StatefulSet", "Deployment", "HorizontalPodAutoscaler", "Job", "Secret", "ConfigMap"} <= kinds


def test_chart_refuses_what_cannot_work() -> None:
    for bad, reason in ((("--set", "worker.replicas=9"), "exceeds kafka.partitions"),
                        (("--set", "secrets.contentKey="), "secrets.contentKey is required"),
                        (("--set", "inference.engine=llama"), "inference.engine must be"),
                        (("--set-file", "secrets.ledgerKey=/dev/null"), "secrets.ledgerKey is required"),
                        (("--set", "sink.replicas=2"), "several sinks need one shared store")):
        done = subprocess.run([_tool("helm"), "template", "x", str(CHART), "--kube-version", K8S_VERSION, *_helm_values(*bad)],
                              capture_output=True, text=True)
        assert done.returncode != 0 and reason in done.stderr


def test_only_the_gateway_and_the_sovereign_worker_may_egress_beyond_kafka() -> None:
    policies = [d for d in _rendered() if d["kind"] == "NetworkPolicy"]
    wide = {d["metadata"]["name"].rsplit("-", 1)[0].split("douane-")[-1] for d in policies
            if d["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/component")}
    assert wide == {"gateway", "inference"}
    default = next(d for d in policies if "component" not in str(d["spec"]["podSelector"]))
    assert all("namespaceSelector" in rule["to"][0] for rule in default["spec"]["egress"])


def _helm_containers() -> list[tuple[str, list[str], dict, list[int]]]:
    out = []
    for variant in (VARIANTS[0], VARIANTS[1], VARIANTS[3]):
        for doc in _rendered(*variant):
            spec = _pod_spec(doc)
            for c in spec.get("containers", []):
                if DOUANE_IMAGE.search(c["image"]):
                    env = {e["name"]: e.get("value") for e in c.get("env", [])}
                    ports = [p["containerPort"] for p in c.get("ports", [])]
                    out.append((f"{doc['metadata']['name']}/{c['name']}", c["args"], env, ports, c))
    return [o[:4] for o in out]


def _pod_spec(doc: dict) -> dict:
    """The pod spec of a workload, a Job or a CronJob."""
    spec = doc.get("spec", {})
    return spec.get("jobTemplate", {}).get("spec", spec).get("template", {}).get("spec", {})


# ---- references into the code --------------------------------------------------------------

def _command(args: list[str]):
    """The CLI command the arguments name, and the arguments left for it."""
    command = typer.main.get_command(app)
    args = list(args)
    while hasattr(command, "commands"):
        assert args and args[0] in command.commands, f"no command {args[:1]} under {command.name}"
        command = command.commands[args.pop(0)]
    return command, args


def _check_container(name: str, args: list[str], env: dict, ports: list[int]) -> None:
    command, rest = _command(args)
    options = {o: p for p in command.params for o in p.opts}
    given = {}
    for i, arg in enumerate(rest):
        if arg.startswith("--"):
            assert arg in options, f"{name}: `{command.name}` has no option {arg}"
            given[arg] = rest[i + 1] if i + 1 < len(rest) and not rest[i + 1].startswith("--") else None
    fields = {f"DOUANE_{f.upper()}" for f in Settings.model_fields}
    for key in env:
        if key.startswith("DOUANE_"):
            assert key in fields | NOT_SETTINGS, f"{name}: {key} is not a setting of douane/settings.py"
    if ports:
        port = given.get("--port") or given.get("--metrics-port")
        assert port is not None and int(port) in ports, f"{name}: exposes {ports}, listens on {given}"


def test_compose_names_only_what_exists() -> None:
    containers = _compose_containers()
    assert {c[0] for c in containers} >= {"topics", "gateway", "worker", "sink", "inference-cpu", "inference-gpu"}
    for container in containers:
        _check_container(*container)


def test_chart_names_only_what_exists() -> None:
    containers = _helm_containers()
    assert len(containers) >= 5
    for container in containers:
        _check_container(*container)


def test_probe_paths_are_served() -> None:
    served = {component: set(re.findall(r'"(/[a-z]+)"', path.read_text())) for component, path in ROUTES.items()}
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for name, service in compose["services"].items():
        for url in re.findall(r"http://127\.0\.0\.1:\d+(/\w+)", str(service.get("healthcheck", {}))):
            assert url in served["gateway" if name == "gateway" else "inference"], f"{name}: {url}"
    for doc in _rendered():
        labels = doc["metadata"].get("labels", {})
        for c in doc.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            component = labels.get("app.kubernetes.io/component")
            for probe in ("livenessProbe", "readinessProbe"):
                if probe in c and component in served:
                    assert c[probe]["httpGet"]["path"] in served[component], f"{component} {probe}"


def _metrics_in_code() -> set[str]:
    names = set()
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" not in path.parts and "tests" not in path.parts:
            found = re.findall(r'(?:Counter|Gauge|Histogram|Summary|counter|gauge)\(\s*"(douane_\w+)"', path.read_text())
            names |= set(found)
    return names


def test_alert_rules_and_dashboard_use_metrics_the_code_serves() -> None:
    known = _metrics_in_code()
    rules = yaml.safe_load((CHART / "files" / "alerts.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    exprs += re.findall(r'"expr": "([^"]+)"', (DEPLOY / "observability/grafana/dashboards/douane.json").read_text())
    for expr in exprs:
        for metric in re.findall(r"douane_\w+", expr):
            base = re.sub(r"_(total|bucket|count|sum|created)$", "", metric)
            assert base in known, f"{metric} in {expr!r} is not a metric the code registers"


# ---- the store and its ledger --------------------------------------------------------------

def _containers_by_component(*variant: str) -> dict[str, tuple[dict, dict]]:
    """component → (its first container, its pod spec) in a rendering."""
    found = {}
    for doc in _rendered(*variant):
        spec = _pod_spec(doc)
        for c in spec.get("containers", []):
            component = doc["metadata"].get("labels", {}).get("app.kubernetes.io/component")
            found.setdefault(component, (c, spec))
    return found


def _key_files(spec: dict) -> set[str]:
    volume = next(v for v in spec["volumes"] if v["name"] == "ledger-key")
    return {item["path"] for item in volume["secret"]["items"]}


def test_the_signing_key_reaches_the_sinks_and_only_its_public_half_the_verifier() -> None:
    found = _containers_by_component()
    sink, sink_spec = found["sink"]
    verifier, verifier_spec = found["ledger-verify"]
    assert _key_files(sink_spec) == {"ledger.ed25519", "ledger.ed25519.pub"}
    assert _key_files(verifier_spec) == {"ledger.ed25519.pub"}
    env = {e["name"]: e.get("value") for e in sink["env"]}
    assert env["DOUANE_LEDGER_KEY"].startswith("/var/run/douane/ledger/")
    assert not any(m["mountPath"] == "/var/lib/douane" for m in sink["volumeMounts"] if m["name"] == "ledger-key")
    assert verifier["args"][:3] == ["ledger", "verify", "--kafka"]
    assert "affinity" in verifier_spec, "a folder store is read on the first sink's node"


def test_several_sinks_share_a_bucket_and_the_verifier_pushes_its_outcome() -> None:
    found = _containers_by_component(*VARIANTS[3])
    sink, _ = found["sink"]
    env = {e["name"]: e.get("value") for e in sink["env"]}
    assert env["DOUANE_STORE_URL"] == "s3://evidence/douane" and "--store" not in sink["args"]
    verifier, verifier_spec = found["ledger-verify"]
    assert "--push-gateway" in verifier["args"] and "affinity" not in verifier_spec
    egress = {d["metadata"]["name"] for d in _rendered(*VARIANTS[3]) if d["kind"] == "NetworkPolicy"}
    assert {"shop-douane-object-store-egress", "shop-douane-pushgateway-egress"} <= egress


def test_the_verifier_accepts_the_retired_public_keys_of_a_rotation() -> None:
    found = _containers_by_component("--set-file", f"secrets.ledgerRetiredPublicKeys[0]={LEDGER_KEY}.pub")
    verifier, spec = found["ledger-verify"]
    assert verifier["args"].count("--public-key") == 2 and "/var/run/douane/ledger/retired-0.pub" in verifier["args"]
    assert _key_files(spec) == {"ledger.ed25519.pub", "retired-0.pub"}
    sink, sink_spec = found["sink"]
    assert "retired-0.pub" not in _key_files(sink_spec)
