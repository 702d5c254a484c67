"""Which API action a REST call is: Security Hub (REST-JSON) and S3 (REST-XML) name it by method and path.

The query and JSON protocols carry the action in the request (`Action=`, `X-Amz-Target`); REST protocols do
not, so the fault layer asks here. Only the calls orgscan makes, and those its tests make to set up and read
back, are named; any other REST call passes the fault layer uncounted.
"""

from __future__ import annotations

from typing import Literal

RestProtocol = Literal["rest-json", "rest-xml"]
REST_PROTOCOLS: dict[str, RestProtocol] = {"securityhub": "rest-json", "s3": "rest-xml"}

_SECURITY_HUB = {
    ("POST", "/findings/import"): "BatchImportFindings",
    ("POST", "/findings"): "GetFindings",
    ("PATCH", "/findings/batchupdate"): "BatchUpdateFindings",
    ("POST", "/accounts"): "EnableSecurityHub",
}
# S3 sub-resources (query keys without a value) that name an action of their own, by method.
_S3_OBJECT = {
    "PUT": {"retention": "PutObjectRetention", "legal-hold": "PutObjectLegalHold", "": "PutObject"},
    "GET": {"retention": "GetObjectRetention", "attributes": "GetObjectAttributes", "": "GetObject"},
    "HEAD": {"": "HeadObject"},
    "DELETE": {"": "DeleteObject"},
}
_S3_BUCKET = {
    "PUT": {"object-lock": "PutObjectLockConfiguration", "": "CreateBucket"},
    "GET": {"object-lock": "GetObjectLockConfiguration", "versioning": "GetBucketVersioning", "list-type":
            "ListObjectsV2", "": "ListObjects"},
    "HEAD": {"": "HeadBucket"},
    "DELETE": {"": "DeleteBucket"},
}


def rest_action(service: str, method: str, path: str, query: str) -> str:
    """The action of a REST call, or "" when it is not one named here."""
    if service == "securityhub":
        return _SECURITY_HUB.get((method, path.rstrip("/") or "/"), "")
    if service != "s3":
        return ""
    keys = {part.partition("=")[0] for part in query.split("&") if part}
    bucket, _, key = path.lstrip("/").partition("/")
    if not bucket:
        return "ListBuckets" if method == "GET" else ""
    table = (_S3_OBJECT if key else _S3_BUCKET).get(method, {})
    if method == "POST" and not key and "delete" in keys:
        return "DeleteObjects"
    for subresource, action in table.items():
        if subresource and subresource in keys:
            return action
    return table.get("", "")
