"""`orgscan push` as one function: where to (checked before AWS is called), then S3 and Security Hub.

It returns what to print and the exit code; the CLI prints. 0: everything pushed; 2: a destination refused
something (named on stderr or per finding); 3: the run does not verify, nothing was pushed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scanner.audit.verify import describe
from scanner.aws.session import SessionFactory
from scanner.errors import ConfigError
from scanner.push import s3, securityhub

EXIT_PUSH_FAILED = 2
EXIT_NOT_INTACT = 3


@dataclass(frozen=True)
class PushRequest:
    run_dir: Path
    securityhub: bool
    s3: s3.S3Destination | None
    object_lock_days: int | None
    kms_key_id: str | None

    @classmethod
    def from_options(cls, run_dir: str, *, securityhub: bool, s3_uri: str | None, object_lock_days: int | None,
                     kms_key_id: str | None, s3_option: str = "--s3") -> PushRequest:
        """ConfigError, naming the option, for a request that cannot be right."""
        if not securityhub and not s3_uri:
            raise ConfigError("push: say where to: --securityhub, --s3 s3://BUCKET/PREFIX, or both")
        if not s3_uri and (object_lock_days is not None or kms_key_id):
            raise ConfigError(f"push: --object-lock-days and --kms-key-id go with {s3_option}")
        s3.check_lock_days(object_lock_days)
        destination = s3.S3Destination.parse(s3_uri, s3_option) if s3_uri else None
        return cls(Path(run_dir), securityhub, destination, object_lock_days, kms_key_id or None)


@dataclass(frozen=True)
class PushReport:
    stdout: tuple[str, ...]
    stderr: tuple[str, ...]
    exit_code: int


def run_push(factory: SessionFactory, request: PushRequest) -> PushReport:
    out: list[str] = []
    if request.s3 is not None:
        try:
            pushed = s3.push_evidence(factory, request.run_dir, request.s3, object_lock_days=request.object_lock_days,
                                      kms_key_id=request.kms_key_id)
        except s3.RunNotIntact as exc:
            out += [describe(problem) for problem in exc.verification.problems]
            out.append(f"not pushed: {exc}; `orgscan verify` says what changed")
            return PushReport(tuple(out), (), EXIT_NOT_INTACT)
        except s3.PushFailed as exc:
            return PushReport(tuple(out), (f"orgscan: error: {exc}",), EXIT_PUSH_FAILED)
        out += s3.describe_push(pushed)
    code = 0
    if request.securityhub:
        result = securityhub.import_findings(factory, request.run_dir)
        out += securityhub.describe_import(result)
        code = 0 if result.complete else EXIT_PUSH_FAILED
    return PushReport(tuple(out), (), code)
