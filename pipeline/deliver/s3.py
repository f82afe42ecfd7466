"""The ``s3`` hosting target: any S3-compatible store (AWS, Cloudflare R2, Backblaze B2, MinIO) through boto3.

boto3 is an optional extra (``pip install ".[s3]"``) imported only when an s3 target is configured. Each file is
one ``PutObject`` with its content type and cache header; after a crash, an object whose ETag (the MD5 of a
single-part upload) matches the file's bytes is taken as delivered instead of being sent again.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pipeline.config import Config, S3Target
from pipeline.deliver.base import register_backend, secret
from pipeline.errors import DeliveryError

_HINTS = {
    "NoSuchBucket": "create the bucket, or fix deliver[].bucket",
    "AccessDenied": "the key may not write to this bucket: check its policy",
    "InvalidAccessKeyId": "check the access key in the environment variable named by access_key_env",
    "SignatureDoesNotMatch": "check the secret key in the environment variable named by secret_key_env",
    "AccessControlListNotSupported": "this bucket refuses ACLs: remove acl from the target",
}


class S3Hosting:
    name = "s3"

    def __init__(self, spec: S3Target, config: Config) -> None:
        try:
            import boto3
            from botocore.config import Config as BotoConfig
        except ImportError:
            raise DeliveryError("the s3 target needs boto3, which is not installed", subject=spec.label,
                                hint='pip install ".[s3]"') from None
        self.spec = spec
        self.where = f"s3://{spec.bucket}/{spec.prefix}"
        access = secret(spec.access_key_env, subject=spec.label, what="the S3 access key")
        secret_key = secret(spec.secret_key_env, subject=spec.label, what="the S3 secret key")
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=spec.endpoint_url, region_name=spec.region,
            aws_access_key_id=access, aws_secret_access_key=secret_key,
            config=BotoConfig(connect_timeout=min(spec.timeout, 15), read_timeout=spec.timeout,
                              retries={"max_attempts": 4, "mode": "standard"}),
        )

    def upload(self, key: str, data: bytes, content_type: str, cache_control: str) -> str | None:
        extra: dict[str, Any] = {"ACL": self.spec.acl} if self.spec.acl else {}
        try:
            answer = self.client.put_object(Bucket=self.spec.bucket, Key=self.spec.prefix + key, Body=data,
                                            ContentType=content_type, CacheControl=cache_control, **extra)
        except Exception as exc:  # noqa: BLE001 - botocore's errors are mapped here, where they enter
            raise self._error("upload refused", key, exc) from None
        return str(answer.get("ETag", "")).strip('"') or None

    def remove(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.spec.bucket, Key=self.spec.prefix + key)
        except Exception as exc:  # noqa: BLE001 - mapped where it enters
            raise self._error("delete refused", key, exc) from None

    def present(self, key: str, data: bytes) -> bool:
        try:
            head = self.client.head_object(Bucket=self.spec.bucket, Key=self.spec.prefix + key)
        except Exception:  # noqa: BLE001 - missing or unreadable: not there, upload it
            return False
        etag = str(head.get("ETag", "")).strip('"')
        return etag == hashlib.md5(data).hexdigest() and head.get("ContentLength") == len(data)  # noqa: S324

    def _error(self, what: str, key: str, exc: Exception) -> DeliveryError:
        code = ""
        response = getattr(exc, "response", None)
        if isinstance(response, dict):
            code = str(response.get("Error", {}).get("Code", ""))
        hint = _HINTS.get(code, "check endpoint_url, the bucket and the network, then: briefcast deliver DATE")
        detail = f"{code}: {exc}" if code else f"{type(exc).__name__}: {exc}"
        return DeliveryError(f"{what} for {self.where}{key} ({detail})", hint=hint)


register_backend("s3", role="hosting")(S3Hosting)
