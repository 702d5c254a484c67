"""Which account an access key belongs to, answered fast enough to ask on every request.

moto answers this by walking every account's IAM backend, for every partition, on every
request; with thousands of seeded accounts that walk dominates the cost of a call and lazily
creates a backend per account and partition. moto's own key format already encodes the
account (the same trick real AWS uses for `sts:GetAccessKeyInfo`), so the account is decoded
from the key, confirmed against that single backend, and remembered.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from dataclasses import dataclass

from moto.core import DEFAULT_ACCOUNT_ID

logger = logging.getLogger(__name__)

# moto.iam.utils.ACCOUNT_OFFSET: keys carry `account_id // 2 + offset` as 8 base32 characters.
_ACCOUNT_OFFSET = 549755813888
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_PARTITION = "aws"


@dataclass(frozen=True)
class KeyOwner:
    """The account that answers for an access key, and who the key speaks for."""

    account_id: str
    principal_arn: str
    assumed: bool


def decode_account(access_key: str) -> str | None:
    """The account id a moto-issued key encodes, or None when the key has no such shape."""
    if len(access_key) != 20 or access_key[:4] not in ("AKIA", "ASIA"):
        return None
    try:
        raw = base64.b32decode(access_key[4:12])
    except (binascii.Error, ValueError):
        return None
    half = int.from_bytes(raw, byteorder="big") - _ACCOUNT_OFFSET
    if half < 0:
        return None
    odd = access_key[12] in _ALPHABET[16:]
    account = half * 2 + (1 if odd else 0)
    if account >= 10**12:
        return None
    return f"{account:012d}"


def _lookup(access_key: str) -> KeyOwner | None:
    """Find the key in the one IAM backend its shape points at, without creating backends."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    account_id = decode_account(access_key)
    if account_id is None:
        return None
    account_backends = dict.get(iam_backends, account_id)
    iam = dict.get(account_backends, _PARTITION) if account_backends is not None else None
    if iam is None or access_key not in iam.access_keys:
        return None
    key = iam.access_keys[access_key]
    if key.role_arn:
        sts_account = dict.get(sts_backends, account_id)
        sts = dict.get(sts_account, _PARTITION) if sts_account is not None else None
        role = sts.get_assumed_role_from_access_key(access_key) if sts is not None else None
        arn = role.arn if role is not None else key.role_arn
        return KeyOwner(account_id, arn, assumed=True)
    if key.user_name:
        return KeyOwner(account_id, f"arn:aws:iam::{account_id}:user/{key.user_name}", assumed=False)
    return KeyOwner(account_id, f"arn:aws:iam::{account_id}:user/scanner", assumed=False)


class KeyResolver:
    """A thread-safe, cached access key -> account map with moto's default-account fallback.

    A key moto never issued (a static demo key pair) belongs to moto's default account, as
    moto itself decides. Issued keys never change owner, so their answers are kept.
    """

    def __init__(self, default_account_id: str = DEFAULT_ACCOUNT_ID) -> None:
        self._default_account_id = default_account_id
        self._cache: dict[str, KeyOwner] = {}
        self._lock = threading.Lock()

    def owner(self, access_key: str) -> KeyOwner:
        cached = self._cache.get(access_key)
        if cached is not None:
            return cached
        found = _lookup(access_key) if access_key else None
        if found is None:
            # Not cached: a key moto issues a moment from now may have this very spelling
            # pattern, and the lookup that fails is a couple of dict probes anyway.
            account = self._default_account_id
            return KeyOwner(account, f"arn:aws:iam::{account}:user/scanner", assumed=False)
        with self._lock:
            self._cache[access_key] = found
        return found

    def account_id(self, access_key: str) -> str:
        return self.owner(access_key).account_id

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


RESOLVER = KeyResolver()
