"""The store in an S3-compatible bucket, against moto's server run as a real HTTP endpoint.

moto stands in for the object store (which lives outside the machine in production); every
request here goes through boto3 over HTTP to it. Writers stage locally and commit each entry
to the bucket with a conditional put; readers and ``ledger verify`` pull the bucket.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import boto3
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from moto.server import ThreadedMotoServer

from stream.store import StoreWriter, open_store, verify
from stream.store.heads import head_file_lines
from stream.store.retention import prune
from tests.stream.store_helpers import audited, count

BUCKET = "douane-evidence"
URL = f"s3://{BUCKET}/eu/store"


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(endpoint, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DOUANE_S3_ENDPOINT", endpoint)
    for name, value in (("AWS_ACCESS_KEY_ID", "douane"), ("AWS_SECRET_ACCESS_KEY", "douane"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket=BUCKET)
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    if objects:
        client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": o["Key"]} for o in objects]})
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _keys(client, under: str = "eu/store/") -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix=under).get("Contents", []))


def _writer(tmp_path: Path, key) -> StoreWriter:
    return StoreWriter(URL, key=key, heads=tmp_path / "heads.jsonl")


def _verify(tmp_path: Path, key):
    return verify(URL, key.public_key(), head_file_lines(tmp_path / "heads.jsonl"))


def test_segments_and_entries_land_in_the_bucket_and_read_back(s3, tmp_path: Path, key) -> None:
    writer = _writer(tmp_path, key)
    items = audited(400)
    writer.write(items[:200])
    writer.write(items[200:])
    keys = _keys(s3)
    assert "eu/store/store.json" in keys
    assert any(k.startswith("eu/store/calls/tenant=") and k.endswith(".parquet") for k in keys)
    assert "eu/store/ledger/calls.direct/000000000002.json" in keys
    con = open_store(URL)
    assert count(con, "SELECT count(*) FROM calls") == 400
    assert count(con, "SELECT count(DISTINCT event_id) FROM calls") == 400
    report = _verify(tmp_path, key)
    assert report.intact, report.problems
    assert report.records == 400


def test_two_writers_on_one_bucket_are_fenced_by_the_conditional_put(s3, tmp_path: Path, key, monkeypatch) -> None:
    first = _writer(tmp_path, key)
    first.write(audited(100, seed=1))
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path / "other-machine"))  # its own staging folder
    second = _writer(tmp_path, key)
    assert second.identity.id == first.identity.id
    second.write(audited(100, seed=2))  # takes #2 of calls.direct
    first.write(audited(100, seed=3))  # its #2 is taken in the bucket: re-reads the chain, commits #3
    assert [k.rsplit("/", 1)[1] for k in _keys(s3, "eu/store/ledger/calls.direct/") if k.endswith(".json")] == [
        "000000000001.json", "000000000002.json", "000000000003.json"]
    assert count(open_store(URL), "SELECT count(*) FROM calls") == 300
    assert _verify(tmp_path, key).intact


def test_a_tampered_object_in_the_bucket_is_named(s3, tmp_path: Path, key) -> None:
    _writer(tmp_path, key).write(audited(200))
    assert _verify(tmp_path, key).intact  # the reader's cache now holds the untampered copy
    target = next(k for k in _keys(s3) if k.endswith(".parquet"))
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket=BUCKET, Key=target)["Body"].read()))
    edited = table.set_column(table.schema.get_field_index("decision"), "decision",
                              pc.if_else(pc.equal(table.column("decision"), "block"), "allow", "block"))
    sink = io.BytesIO()
    pq.write_table(edited, sink)
    s3.put_object(Bucket=BUCKET, Key=target, Body=sink.getvalue())
    problems = [str(p) for p in _verify(tmp_path, key).problems]
    changed = pc.sum(pc.not_equal(table.column("decision"), edited.column("decision"))).as_py()
    assert changed and len(problems) == changed, problems
    assert all(p.startswith("ledger calls.direct #1: record ") and p.endswith("changed since it was written")
               for p in problems), problems


def test_a_deleted_object_in_the_bucket_is_named(s3, tmp_path: Path, key) -> None:
    writer = _writer(tmp_path, key)
    writer.write(audited(100, seed=1))
    writer.write(audited(100, seed=2))
    assert _verify(tmp_path, key).intact
    s3.delete_object(Bucket=BUCKET, Key="eu/store/ledger/calls.direct/000000000002.json")
    assert not _verify(tmp_path, key).intact


def test_a_prune_removes_objects_and_verifies_as_lawful(s3, tmp_path: Path, key) -> None:
    writer = _writer(tmp_path, key)
    writer.write(audited(300, tenants=("shop-berlin",)))
    before = len([k for k in _keys(s3) if k.endswith(".parquet")])
    cutoff = max(date.fromisoformat(k.split("day=")[1][:10]) for k in _keys(s3) if "day=" in k) + timedelta(days=1)
    deletion = prune(writer, "shop-berlin", cutoff, basis="test retention", by="dpo")
    assert deletion.records == 300 and len(deletion.files) == before
    assert not [k for k in _keys(s3) if k.endswith(".parquet")]
    report = _verify(tmp_path, key)
    assert report.intact, report.problems
    assert report.lawful
    assert count(open_store(URL), "SELECT count(*) FROM calls") == 0


def test_the_cli_verifies_a_bucket_store_from_the_setting(s3, tmp_path: Path, key, monkeypatch) -> None:
    from typer.testing import CliRunner

    from douane.cli.main import app
    from stream.store.signing import public_pem

    _writer(tmp_path, key).write(audited(150))
    public = tmp_path / "ledger.pub"
    public.write_bytes(public_pem(key.public_key()))
    args = ["ledger", "verify", "--public-key", str(public), "--heads", str(tmp_path / "heads.jsonl")]
    monkeypatch.setenv("DOUANE_STORE_URL", URL)
    run = CliRunner().invoke(app, args, catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert f"{URL}: " in run.output and "150 calls" in run.output and "intact" in run.output
    monkeypatch.setenv("DOUANE_STORE_URL", "s3://no-such-bucket/x")
    run = CliRunner().invoke(app, args, catch_exceptions=False)
    assert run.exit_code != 0
    assert "s3://no-such-bucket/x: cannot list the bucket" in run.output


def test_heads_published_to_a_bucket_catch_a_truncation_when_the_head_file_is_gone(s3, tmp_path: Path, key,
                                                                                   monkeypatch) -> None:
    from typer.testing import CliRunner

    from douane.cli.main import app
    from stream.store.signing import public_pem

    s3.create_bucket(Bucket="douane-heads")
    monkeypatch.setenv("DOUANE_LEDGER_HEADS_URL", "s3://douane-heads/eu")
    writer = _writer(tmp_path, key)
    writer.write(audited(100, seed=1))
    writer.write(audited(100, seed=2))
    heads = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="douane-heads")["Contents"])
    assert heads == [f"eu/{writer.identity.id}/calls.direct/{n:012d}.json" for n in (1, 2)]
    (tmp_path / "heads.jsonl").unlink()  # whoever controls the host removed the head file too
    entry = "eu/store/ledger/calls.direct/000000000002"
    gone = [k for k in _keys(s3) if k.startswith(entry) or "000000000002-000000000002" in k]
    s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in gone]})
    public = tmp_path / "ledger.pub"
    public.write_bytes(public_pem(key.public_key()))
    monkeypatch.setenv("DOUANE_STORE_URL", URL)
    run = CliRunner().invoke(app, ["ledger", "verify", "--public-key", str(public), "--heads",
                                   str(tmp_path / "heads.jsonl")], catch_exceptions=False)
    assert run.exit_code == 1, run.output
    assert "calls.direct" in run.output and "truncated" in run.output, run.output
    objects = s3.list_objects_v2(Bucket="douane-heads")["Contents"]
    s3.delete_objects(Bucket="douane-heads", Delete={"Objects": [{"Key": o["Key"]} for o in objects]})
    s3.delete_bucket(Bucket="douane-heads")
