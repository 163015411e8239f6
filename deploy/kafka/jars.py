"""Fetch the broker's jars from Maven Central with Maven (``deploy/kafka/pom.xml``)."""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
from pathlib import Path

logger = logging.getLogger(__name__)

POM = Path(__file__).with_name("pom.xml")
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
STAMP = ".pom.sha256"


class JarsError(RuntimeError):
    """The jars could not be fetched; the message says what to install or check."""


def require_tool(name: str, hint: str) -> str:
    """Path of executable ``name`` or a :class:`JarsError` with an install hint."""
    path = shutil.which(name)
    if path is None:
        raise JarsError(f"'{name}' is not on PATH. {hint}")
    return path


def jars_present(libs: Path) -> bool:
    """True when ``libs`` holds jars resolved from the current pom.xml."""
    stamp = libs / STAMP
    return stamp.is_file() and stamp.read_text().strip() == _pom_digest()


def fetch_jars(libs: Path, *, force: bool = False) -> Path:
    """Resolve ``kafka_2.13`` and its logging backend into ``libs``; a no-op when current."""
    if jars_present(libs) and not force:
        return libs
    mvn = require_tool("mvn", "Install Maven (Debian: apt-get install maven) to fetch the Kafka jars.")
    require_tool("java", "Install Java 17+ (Debian: apt-get install openjdk-17-jre-headless).")
    staging = libs.with_name(libs.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    cmd = [
        mvn, "-B", "-q", "-f", str(POM), f"{DEPENDENCY_PLUGIN}:copy-dependencies",
        "-DincludeScope=runtime", f"-DoutputDirectory={staging}",
    ]
    logger.info("fetching Kafka jars with Maven into %s", libs)
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0 or not any(staging.glob("kafka_2.13-*.jar")):
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise JarsError("Maven could not fetch the Kafka jars:\n" + "\n".join(tail))
    (staging / STAMP).write_text(_pom_digest())
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    return libs


def kafka_version(libs: Path) -> str:
    """The broker version, read from the ``kafka_2.13-<version>.jar`` name."""
    for jar in libs.glob("kafka_2.13-*.jar"):
        return jar.stem.removeprefix("kafka_2.13-")
    raise JarsError(f"no kafka_2.13 jar in {libs}; run 'douane kafka fetch'")


def _pom_digest() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()
