"""Uploaded files: checked by content, stored under random names, served under ``MEDIA_URL``.

Only PNG, JPEG, GIF and WebP images are accepted, recognised by their magic bytes and
fully parsed headers, never by the file name or the declared content type.

Files not everyone may see are served by signed URLs: the path, an expiry ``MEDIA_URL_TTL``
seconds ahead, and an HMAC of both with a key derived from the server secret.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

from infra.errors import BadInput
from infra.settings import Settings

log = logging.getLogger(__name__)

CHUNK = 64 * 1024

# signature -> (extension, content type)
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
)
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


class UploadFile(Protocol):
    """What Starlette's ``UploadFile`` offers (and what the tests can build)."""

    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str  # relative path under MEDIA_DIR, e.g. "profiles/ab12....png"
    content_type: str


def sniff_image(head: bytes) -> str | None:
    """The extension of an accepted image format, judged by content; None otherwise."""
    for signature, extension, _ in _SIGNATURES:
        if head.startswith(signature):
            if extension == "png" and head[12:16] != b"IHDR":
                return None
            return extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:15] == b"VP8":
        return "webp"
    return None


class Storage:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.media_dir.resolve()
        self.base_url = settings.media_url.rstrip("/") + "/"
        self.max_bytes = settings.max_upload_bytes
        self.url_ttl = settings.media_url_ttl

    def open(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def url(self, key: str) -> str:
        return self.base_url + key

    def signed_url(self, path: str, *, now: dt.datetime) -> str:
        """The URL of ``path`` (under ``MEDIA_URL``) that works until ``MEDIA_URL_TTL`` after ``now``."""
        expires = int(now.timestamp()) + self.url_ttl
        return f"{self.base_url}{path}?expires={expires}&signature={self._signature(path, expires)}"

    def signature_valid(self, path: str, expires: str, signature: str, *, now: dt.datetime) -> bool:
        """Whether ``signature`` signs ``path`` until ``expires``, and that is not past."""
        if not expires.isdigit() or len(expires) > 12 or int(expires) < now.timestamp():
            return False
        return hmac.compare_digest(signature, self._signature(path, int(expires)))

    @cached_property
    def _signing_key(self) -> bytes:
        # Derived, so a media signature can never pass for anything else signed with the secret.
        return hashlib.sha256(b"eroom media url\n" + self.settings.secret.encode()).digest()

    def _signature(self, path: str, expires: int) -> str:
        mac = hmac.new(self._signing_key, f"{path}\n{expires}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError("storage key escapes the media directory")
        return path

    async def save_image(self, upload: UploadFile, *, folder: str, field: str) -> StoredFile:
        """Read, check and store an image; ``BadInput(field)`` when it is not acceptable.

        Nothing is left on disk when the upload is rejected.
        """
        data = await self._read_limited(upload, field=field)
        extension = sniff_image(data[:32])
        if extension is None:
            raise BadInput("Upload a PNG, JPEG, GIF or WebP image.", field=field)
        key = f"{folder}/{secrets.token_hex(16)}.{extension}"
        path = self.path(key)
        await asyncio.to_thread(_write, path, data)
        return StoredFile(key=key, content_type=CONTENT_TYPES[extension])

    async def delete(self, key: str | None) -> None:
        """Remove a stored file; missing files are fine (deletes are retried after commits)."""
        if not key:
            return
        try:
            await asyncio.to_thread(self.path(key).unlink, True)
        except (OSError, ValueError):
            log.warning("could not delete stored file", extra={"key": key})

    async def _read_limited(self, upload: UploadFile, *, field: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                limit_mb = self.max_bytes // (1024 * 1024)
                raise BadInput(f"Files may be at most {limit_mb} MB.", field=field)
            chunks.append(chunk)
        if not size:
            raise BadInput("The file is empty.", field=field)
        return b"".join(chunks)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".part")
    temporary.write_bytes(data)
    temporary.replace(path)
