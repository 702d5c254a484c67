"""Upload a verified run to S3 for an auditor: the bundle zip, report.pdf and the manifest's SHA-256.

The run is verified first (`orgscan verify`) and refused unless intact. The bundle is the zip `orgscan
bundle` writes, byte for byte. Every object is sent with its SHA-256 (S3 refuses bytes that do not match)
and read back afterwards (HeadObject with checksums): a push is reported done only when every object is
there with the checksum computed here. With `object_lock_days`, each object is written in COMPLIANCE
retention until that many days from now, which nobody, root included, can shorten; the bucket must have
been created with Object Lock. The small JSON naming the manifest's SHA-256 is written last, so its
presence says the push completed.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from scanner import __version__, rundir
from scanner.audit.bundle import write_bundle
from scanner.audit.verify import Verification, verify
from scanner.aws.session import SessionFactory, api_error
from scanner.errors import ConfigError, OrgscanError, RunFolderError

log = logging.getLogger(__name__)

# The IAM action each call is authorized by (HeadObject is s3:GetObject).
CALL_ACTIONS: dict[str, str] = {"s3:PutObject": "s3:PutObject", "s3:HeadObject": "s3:GetObject"}
S3_PERMISSIONS: tuple[str, ...] = ("s3:PutObject", "s3:GetObject")
# A PutObject carrying Object Lock headers also needs this; with a KMS key, S3 asks KMS for a data key as the
# caller, which needs kms:GenerateDataKey on that key.
OBJECT_LOCK_PERMISSIONS: tuple[str, ...] = ("s3:PutObjectRetention",)
KMS_PERMISSIONS: tuple[str, ...] = ("kms:GenerateDataKey",)
DIGEST_JSON = "manifest-sha256.json"
REPORT_PDF = "report.pdf"
MAX_LOCK_DAYS = 36500


class RunNotIntact(OrgscanError):
    """The run does not verify: nothing was uploaded."""

    def __init__(self, verification: Verification) -> None:
        super().__init__(f"{verification.target} is not intact ({len(verification.problems)} problems): not pushed")
        self.verification = verification


class PushFailed(OrgscanError):
    """S3 refused an upload, or an object read back does not match: the push is incomplete."""


@dataclass(frozen=True)
class S3Destination:
    bucket: str
    prefix: str  # without leading or trailing slashes; "" for the bucket's top

    @classmethod
    def parse(cls, uri: str, option: str = "--s3") -> S3Destination:
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        if not uri.startswith("s3://") or not bucket:
            raise ConfigError(f"{option}: expected s3://BUCKET/PREFIX, got {uri!r}")
        return cls(bucket, prefix.strip("/"))

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)


@dataclass(frozen=True)
class Uploaded:
    uri: str
    key: str
    size: int
    sha256: str  # hex


@dataclass(frozen=True)
class PushedEvidence:
    objects: tuple[Uploaded, ...]
    manifest_sha256: str
    retain_until: datetime | None


def check_lock_days(days: int | None) -> None:
    if days is not None and not 1 <= days <= MAX_LOCK_DAYS:
        raise ConfigError(f"--object-lock-days: a whole number of days from 1 to {MAX_LOCK_DAYS}, got {days}")


def _checksum(path: Path) -> tuple[int, bytes]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.digest()


def _refusal(exc: ClientError | BotoCoreError, destination: S3Destination, locked: bool) -> str:
    error = api_error(exc)
    if locked and error.code == "InvalidRequest" and "objectlock" in error.message.lower().replace(" ", ""):
        return (f"{destination.uri}: bucket {destination.bucket} does not have Object Lock enabled, which "
                "--object-lock-days needs (Object Lock is chosen when a bucket is created); nothing was uploaded")
    return f"{error.code}: {error.message}"


def push_evidence(
    factory: SessionFactory, run_dir: Path, destination: S3Destination, *, object_lock_days: int | None = None,
    kms_key_id: str | None = None, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> PushedEvidence:
    """Verify, bundle, upload, read back. RunNotIntact before any upload; PushFailed when S3 refuses or an
    object read back differs (objects already written stay: the digest JSON, written last, is not)."""
    check_lock_days(object_lock_days)
    if not run_dir.is_dir():
        raise RunFolderError(f"not a run folder: {run_dir}")
    checked = verify(run_dir)
    if not checked.intact:
        raise RunNotIntact(checked)
    run_id = run_dir.resolve().name
    if not (run_dir / REPORT_PDF).is_file():
        raise RunFolderError(f"{run_dir / REPORT_PDF} is missing: `orgscan report {run_dir}` renders it")
    s3 = factory.caller_client("s3")
    retain_until = None
    if object_lock_days is not None:
        retain_until = (clock() + timedelta(days=object_lock_days)).astimezone(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="orgscan-push-") as tmp:
        bundle = write_bundle(run_dir, Path(tmp) / f"{run_id}.zip")
        files = [(destination.key(run_id, f"{run_id}.zip"), bundle.path, "application/zip"),
                 (destination.key(run_id, REPORT_PDF), run_dir / REPORT_PDF, "application/pdf")]
        uploaded = [_upload(s3, destination, key, path, content_type, retain_until, kms_key_id)
                    for key, path, content_type in files]
        digest = Path(tmp) / DIGEST_JSON
        digest.write_bytes(rundir.dumps({
            "run_id": run_id,
            "manifest_sha256": bundle.manifest_sha256,
            "bundle": {"key": uploaded[0].key, "sha256": uploaded[0].sha256},
            "report_pdf": {"key": uploaded[1].key, "sha256": uploaded[1].sha256},
            "tool_version": __version__,
        }))
        uploaded.append(_upload(s3, destination, destination.key(run_id, DIGEST_JSON), digest, "application/json",
                                retain_until, kms_key_id))
    for item in uploaded:
        _read_back(s3, destination, item, retain_until)
    log.info("pushed run %s to %s (%d objects)", run_id, destination.uri, len(uploaded))
    return PushedEvidence(tuple(uploaded), bundle.manifest_sha256, retain_until)


def _upload(s3: Any, destination: S3Destination, key: str, path: Path, content_type: str,
            retain_until: datetime | None, kms_key_id: str | None) -> Uploaded:
    size, digest = _checksum(path)
    params: dict[str, Any] = {"Bucket": destination.bucket, "Key": key, "ContentType": content_type,
                              "ChecksumAlgorithm": "SHA256", "ChecksumSHA256": base64.b64encode(digest).decode()}
    if retain_until is not None:
        params.update(ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=retain_until)
    if kms_key_id:
        params.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key_id)
    try:
        with open(path, "rb") as body:
            s3.put_object(Body=body, **params)
    except (ClientError, BotoCoreError) as exc:
        reason = _refusal(exc, destination, retain_until is not None)
        if reason.startswith(destination.uri):
            raise PushFailed(reason) from None
        raise PushFailed(f"{destination.uri}: s3://{destination.bucket}/{key} was not uploaded: {reason}; the push "
                         "is incomplete") from None
    return Uploaded(f"s3://{destination.bucket}/{key}", key, size, digest.hex())


def _read_back(s3: Any, destination: S3Destination, item: Uploaded, retain_until: datetime | None) -> None:
    """HeadObject with checksums: the object S3 keeps has this size and SHA-256 (and the retention asked for)."""
    try:
        head = s3.head_object(Bucket=destination.bucket, Key=item.key, ChecksumMode="ENABLED")
    except (ClientError, BotoCoreError) as exc:
        error = api_error(exc)
        raise PushFailed(f"{destination.uri}: {item.uri} cannot be read back to check its checksum: "
                         f"{error.code}: {error.message}; the push is not confirmed") from None
    stored = head.get("ChecksumSHA256")
    expected = base64.b64encode(bytes.fromhex(item.sha256)).decode()
    if stored != expected or head.get("ContentLength") != item.size:
        raise PushFailed(f"{destination.uri}: {item.uri} reads back with SHA-256 {stored or 'none'} and "
                         f"{head.get('ContentLength')} bytes, uploaded {expected} and {item.size}; the push is not "
                         "confirmed")
    if retain_until is not None and (head.get("ObjectLockMode") != "COMPLIANCE"
                                     or head.get("ObjectLockRetainUntilDate") != retain_until):
        raise PushFailed(f"{destination.uri}: {item.uri} reads back without COMPLIANCE retention until "
                         f"{rundir.iso(retain_until)}; the push is not confirmed")


def describe_push(pushed: PushedEvidence) -> list[str]:
    lines = [f"uploaded: {item.uri} (sha256 {item.sha256})" for item in pushed.objects]
    if pushed.retain_until is not None:
        lines.append(f"every object is in COMPLIANCE retention until {rundir.iso(pushed.retain_until)}")
    lines.append(f"manifest.json sha256: {pushed.manifest_sha256} (give this to the auditor separately)")
    return lines
