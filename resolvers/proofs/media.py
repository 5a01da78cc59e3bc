"""Where a proof's image is served, and to whom.

An approved proof is the challenge's public record, so its image is public. In production, the
image of a proof still under review (WAITING) or DENIED is served only through a signed URL
that expires after ``MEDIA_URL_TTL``, handed to whoever receives the proof, which
:mod:`resolvers.proofs.queries` limits to the viewers who may see it. Whether an unsigned image
may be served is decided on each request from the proof's status in the database (one
primary-key lookup), so a proof edited back to WAITING stops being public at once; files never
move. Outside production every image is a plain file under ``MEDIA_URL``.
"""

from __future__ import annotations

import datetime as dt
import re

from infra.storage import Storage
from models.proofs import Proof, ProofStatus

FOLDER = "proofs"
# Stored images are ``proofs/<32 hex>.<extension>`` (infra.storage.Storage.save_image).
IMAGE_NAME = re.compile(r"[0-9a-f]{32}\.(png|jpg|gif|webp)")


def image_path(proof_id: int, key: str) -> str:
    """The image's path under ``MEDIA_URL`` in production: it names the proof it belongs to."""
    return f"{FOLDER}/{proof_id}/{key.removeprefix(FOLDER + '/')}"


def image_url(
    storage: Storage, *, proof_id: int, key: str, status: ProofStatus, production: bool, now: dt.datetime
) -> str:
    if not production:
        return storage.url(key)
    path = image_path(proof_id, key)
    return storage.url(path) if status is ProofStatus.APPROVED else storage.signed_url(path, now=now)


def image_key(name: str) -> str | None:
    """The storage key behind an image name from a URL, or None when it cannot be one."""
    return f"{FOLDER}/{name}" if IMAGE_NAME.fullmatch(name) else None


async def is_public_image(*, proof_id: int, key: str) -> bool:
    """Whether ``key`` is the image of proof ``proof_id`` and that proof is approved."""
    return await Proof.filter(id=proof_id, image=key, status=ProofStatus.APPROVED).exists()
