"""Start, stop and probe a single-node KRaft broker that lives under one state folder.

Layout of the state folder (``<home>/kafka``)::

    libs/            jars from Maven Central (see jars.py)
    config/          server.properties and log4j2.properties, written on each start
    data/            the broker's log.dirs (topics, metadata)
    logs/broker.out  the JVM's stdout and stderr
    broker.json      ports and bootstrap address; the pid while it runs
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from deploy.kafka.jars import JarsError, fetch_jars, kafka_version, require_tool
from deploy.kafka.probe import broker_answers

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent


class BrokerError(RuntimeError):
    """The broker could not be started or stopped; the message carries the log tail."""


@dataclass(frozen=True)
class BrokerStatus:
    """What ``douane kafka status`` reports."""

    running: bool
    answering: bool
    pid: int | None
    bootstrap: str | None
    version: str | None
    home: Path

    def describe(self) -> str:
        """One human line."""
        if not self.running:
            return f"Kafka is not running (state in {self.home})"
        state = "answering" if self.answering else "NOT answering"
        return f"Kafka {self.version} on {self.bootstrap} (pid {self.pid}), {state}; state in {self.home}"


class LocalBroker:
    """A Kafka broker process owned by Douane, with all its files under ``home``."""

    def __init__(self, home: Path, port: int = 19092, controller_port: int = 19093, heap: str = "512m",
                 libs: Path | None = None, overrides: dict[str, str] | None = None) -> None:
        self.home = Path(home).absolute()
        self.overrides = dict(overrides or {})
        self.libs = Path(libs).absolute() if libs else self.home / "libs"
        self.port = port
        self.controller_port = controller_port
        self.heap = heap

    data = property(lambda self: self.home / "data")
    logs = property(lambda self: self.home / "logs")
    config = property(lambda self: self.home / "config")
    runfile = property(lambda self: self.home / "broker.json")

    def up(self, timeout: float = 90.0) -> BrokerStatus:
        """Start the broker unless it runs already, and wait until it answers metadata requests."""
        current = self.status()
        if current.running and current.answering:
            return current
        if current.running:
            return self._wait_ready(current.pid, current.bootstrap, timeout)
        java = require_tool("java", "Install Java 17+ (Debian: apt-get install openjdk-17-jre-headless).")
        fetch_jars(self.libs)
        port, cport = self._choose_ports()
        props = self._write_config(port, cport)
        self._format_storage(java, props)
        proc = self._spawn(java, props)
        bootstrap = f"127.0.0.1:{port}"
        run = {"pid": proc.pid, "port": port, "controller_port": cport, "bootstrap": bootstrap}
        self.runfile.write_text(json.dumps(run))
        return self._wait_ready(proc.pid, bootstrap, timeout, alive=lambda: proc.poll() is None)

    def down(self, timeout: float = 30.0) -> bool:
        """Stop the broker (SIGTERM, then SIGKILL after ``timeout``). False when none was running."""
        run = self._read_runfile()
        pid = run.get("pid")
        if not pid or not _is_broker_process(pid):
            self._clear_pid()
            return False
        _signal_group(pid, signal.SIGTERM)
        if not _wait_exit(pid, timeout):
            logger.warning("broker pid %s ignored SIGTERM for %.0f s; killing it", pid, timeout)
            _signal_group(pid, signal.SIGKILL)
            _wait_exit(pid, 10)
        self._clear_pid()
        return True

    def status(self) -> BrokerStatus:
        """Whether the recorded broker process is alive and answers."""
        run = self._read_runfile()
        pid, bootstrap = run.get("pid"), run.get("bootstrap")
        running = bool(pid) and _is_broker_process(pid)
        answering = running and broker_answers(bootstrap, timeout=5)
        version = _safe_version(self.libs)
        return BrokerStatus(running, answering, pid if running else None, bootstrap if running else None, version, self.home)

    def log_tail(self, lines: int = 30) -> str:
        """The last lines the JVM printed."""
        out = self.logs / "broker.out"
        if not out.exists():
            return "(no broker output)"
        return "\n".join(out.read_text(errors="replace").splitlines()[-lines:])

    def _choose_ports(self) -> tuple[int, int]:
        previous = self._read_runfile()
        port = self.port or previous.get("port") or _free_port()
        cport = self.controller_port or previous.get("controller_port") or _free_port(avoid=port)
        for p in (port, cport):
            if not _port_free(p):
                raise BrokerError(f"port {p} on 127.0.0.1 is taken by another program; set DOUANE_KAFKA_PORT / "
                                  "DOUANE_KAFKA_CONTROLLER_PORT to free ports (0 = pick one)")
        return port, cport

    def _write_config(self, port: int, cport: int) -> Path:
        self.config.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        text = (TEMPLATES / "server.properties.in").read_text()
        props = self.config / "server.properties"
        extra = "".join(f"{key}={value}\n" for key, value in self.overrides.items())
        props.write_text(text.format(port=port, controller_port=cport, data=self.data) + extra)
        shutil.copy(TEMPLATES / "log4j2.properties", self.config / "log4j2.properties")
        return props

    def _format_storage(self, java: str, props: Path) -> None:
        if (self.data / "meta.properties").exists():
            return
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        cmd = [java, *self._jvm_logging(), "-cp", f"{self.libs}/*", "kafka.tools.StorageTool",
               "format", f"--cluster-id={cluster_id}", "--config", str(props)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise BrokerError(f"formatting the KRaft storage failed:\n{done.stdout}{done.stderr}")

    def _spawn(self, java: str, props: Path) -> subprocess.Popen:
        cmd = [java, f"-Xms{self.heap}", f"-Xmx{self.heap}", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
               "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
               "-Djava.awt.headless=true", *self._jvm_logging(), "-cp", f"{self.libs}/*", "kafka.Kafka", str(props)]
        with open(self.logs / "broker.out", "ab") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True, cwd=self.home)
        return proc

    def _jvm_logging(self) -> list[str]:
        return [f"-Dlog4j2.configurationFile={self.config / 'log4j2.properties'}", f"-Dkafka.logs.dir={self.logs}"]

    def _wait_ready(self, pid: int, bootstrap: str, timeout: float, alive=None) -> BrokerStatus:
        # Our own child is checked with poll(): until it has exec'd, its cmdline is still Python's.
        alive = alive or (lambda: _is_broker_process(pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not alive():
                self._clear_pid()
                raise BrokerError(f"the broker exited during start-up. Its last output:\n{self.log_tail()}")
            if broker_answers(bootstrap, timeout=2):
                return BrokerStatus(True, True, pid, bootstrap, _safe_version(self.libs), self.home)
            time.sleep(0.2)
        raise BrokerError(f"the broker did not answer on {bootstrap} within {timeout:.0f} s:\n{self.log_tail()}")

    def _clear_pid(self) -> None:
        """Forget the process but keep its ports, so a restart keeps the bootstrap address."""
        run = self._read_runfile()
        if run:
            run["pid"] = None
            self.runfile.write_text(json.dumps(run))

    def _read_runfile(self) -> dict:
        try:
            return json.loads(self.runfile.read_text())
        except (OSError, ValueError):
            return {}


def _is_broker_process(pid: int) -> bool:
    """Alive, not a zombie, and really a Kafka JVM (guards against pid reuse)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return b"kafka.Kafka" in cmdline and state != "Z"


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(os.getpgid(pid), sig)
    except ProcessLookupError:
        pass


def _wait_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if not _is_broker_process(pid):
            return True
        time.sleep(0.1)
    return False


def _reap(pid: int) -> None:
    """Collect the exit status when the broker is our own child (tests, demo)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port(avoid: int | None = None) -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != avoid:
            return port


def _safe_version(libs: Path) -> str | None:
    try:
        return kafka_version(libs)
    except JarsError:
        return None
