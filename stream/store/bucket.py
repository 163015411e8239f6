"""A store kept in an S3-compatible bucket (``s3://bucket/prefix``), with a local working copy.

The bucket holds the same objects as a store folder, under the prefix. A writer works in a
local staging folder and, for each entry, uploads its segments and records first and its entry
last, with a conditional put (``If-None-Match: *``): the entry's place in its chain is taken
exclusively in the bucket, as ``os.link`` takes it in a folder, so sinks on several machines
sharing one bucket are fenced the same way. A reader pulls the bucket into a local cache (only
objects that are new or whose ETag changed; objects gone from the bucket are removed from the
cache) and opens that copy: reports and ``ledger verify`` see the bucket as it is, so an object
replaced or deleted in the bucket is found like a file changed in a folder.

The endpoint comes from ``DOUANE_S3_ENDPOINT`` (else boto3's own: ``AWS_ENDPOINT_URL``, or
the region's AWS endpoint); credentials from boto3's usual chain (environment, profile, role).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError

from stream.store.layout import StoreError

SCHEME = "s3://"
ETAGS = ".etags.json"  # in a cache: the ETag each pulled object had


class BucketError(StoreError):
    """The bucket cannot be reached or the URL is not an ``s3://bucket/prefix``; the message says which."""


class EntryTaken(RuntimeError):
    """Another writer put an object at this key first (the conditional put failed)."""


def is_bucket(location: object) -> bool:
    """True for an ``s3://`` URL (a string); a folder is a ``Path`` or a plain path string."""
    return isinstance(location, str) and location.startswith(SCHEME)


@dataclass(frozen=True)
class BucketURL:
    """The parts of ``s3://bucket/prefix``."""

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> "BucketURL":
        parts = urlparse(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise BucketError(f"{url!r} is not an object-store URL: expected s3://bucket/prefix")
        return cls(parts.netloc, parts.path.strip("/"))

    def key(self, relative: str) -> str:
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def relative(self, key: str) -> str:
        return key[len(self.prefix) + 1:] if self.prefix else key


class Bucket:
    """The objects of one store in a bucket: put (optionally exclusive), get, list with ETags, delete."""

    def __init__(self, url: str, endpoint: str | None = None) -> None:
        import boto3

        from douane.settings import Settings

        self.url = url
        self.where = BucketURL.parse(url)
        endpoint = endpoint or Settings().s3_endpoint
        self.client = boto3.client("s3", endpoint_url=endpoint)

    def put(self, relative: str, data: bytes, *, exclusive: bool = False) -> None:
        """Store ``data`` at ``relative``; with ``exclusive``, :class:`EntryTaken` when the key exists."""
        extra = {"IfNoneMatch": "*"} if exclusive else {}
        try:
            self.client.put_object(Bucket=self.where.bucket, Key=self.where.key(relative), Body=data, **extra)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("PreconditionFailed", "ConditionalRequestConflict", "412"):
                raise EntryTaken(f"{self.url}/{relative} exists already") from None
            raise BucketError(f"{self.url}: cannot write {relative}: {code or exc}") from None

    def upload(self, root: Path, relative: str, *, exclusive: bool = False) -> None:
        """Upload the file ``root/relative`` to the same place in the bucket."""
        self.put(relative, (root / relative).read_bytes(), exclusive=exclusive)

    def get(self, relative: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.where.bucket, Key=self.where.key(relative))["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            raise BucketError(f"{self.url}: cannot read {relative}: {exc}") from None

    def delete(self, relatives: list[str]) -> None:
        """Remove objects (a lawful deletion's files, or a fenced writer's uploads)."""
        for start in range(0, len(relatives), 1000):
            chunk = [{"Key": self.where.key(r)} for r in relatives[start:start + 1000]]
            if chunk:
                self.client.delete_objects(Bucket=self.where.bucket, Delete={"Objects": chunk, "Quiet": True})

    def listing(self, under: str = "") -> dict[str, tuple[str, float]]:
        """Every object under ``under`` (relative to the store), with its ETag and when it was last written."""
        found: dict[str, tuple[str, float]] = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.where.bucket, Prefix=self.where.key(under) if under else
            (f"{self.where.prefix}/" if self.where.prefix else ""))
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    found[self.where.relative(item["Key"])] = (item["ETag"], item["LastModified"].timestamp())
        except (BotoCoreError, ClientError) as exc:  # no such bucket, refused, unreachable endpoint
            raise BucketError(f"{self.url}: cannot list the bucket: {exc}") from None
        return found

    def pull(self, cache: Path, under: str = "", *, prune: bool = True) -> Path:
        """Make ``cache`` (or its part ``under``) hold what the bucket holds now; return ``cache``."""
        cache.mkdir(parents=True, exist_ok=True)
        known = _etags(cache)
        remote = self.listing(under)
        for relative, (etag, written) in remote.items():
            path = cache / relative
            if known.get(relative) != etag or not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                temp = path.with_name(f".{path.name}.pull")
                temp.write_bytes(self.get(relative))
                os.utime(temp, (written, written))  # the bucket's time: verify ages unnamed objects by it
                temp.replace(path)
                known[relative] = etag
        if prune:
            for relative in [r for r in known if r.startswith(under) and r not in remote]:
                (cache / relative).unlink(missing_ok=True)
                del known[relative]
        (cache / ETAGS).write_text(json.dumps(known))
        return cache


def _etags(cache: Path) -> dict[str, str]:
    path = cache / ETAGS
    return json.loads(path.read_text()) if path.exists() else {}


def cache_folder(url: str, kind: str) -> Path:
    """The local folder that holds a bucket store's working copy: ``<home>/<kind>/<bucket>/<prefix>``."""
    from douane.settings import Settings

    where = BucketURL.parse(url)
    return Settings().home / kind / where.bucket / (where.prefix or "_")


def pulled(url: str) -> Path:
    """A local copy of the bucket store at ``url``, as it is now (for readers)."""
    return Bucket(url).pull(cache_folder(url, "store-cache"))


def shared_identity(bucket: Bucket, root: Path, key) -> None:
    """Make ``root/store.json`` the bucket's identity; the first writer of a new bucket store creates it."""
    from stream.store.layout import IDENTITY, ensure_identity

    if IDENTITY not in bucket.listing(IDENTITY):
        (root / IDENTITY).unlink(missing_ok=True)
        ensure_identity(root, key)
        try:
            bucket.upload(root, IDENTITY, exclusive=True)
            return
        except EntryTaken:
            pass  # two writers creating one bucket store: the first wins, both use its identity
    root.mkdir(parents=True, exist_ok=True)
    (root / IDENTITY).write_bytes(bucket.get(IDENTITY))


def upload_entry(bucket: Bucket, root: Path, entry) -> None:
    """Upload an entry's segments and records, then the entry itself exclusively (the commit point)."""
    from stream.store import chain as ledger

    folder = f"{ledger.LEDGER}/{entry.chain}"
    for relative, _ in entry.files:
        bucket.upload(root, relative)
    bucket.upload(root, f"{folder}/{entry.records_file}")
    bucket.upload(root, f"{folder}/{entry.seq:012d}.json", exclusive=True)
