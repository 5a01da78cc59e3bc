"""Writing proofs: create, update, delete and review, each in one transaction.

Bricks: ``Member.bricks_count`` is the number of the member's APPROVED proofs. Every status
change is a conditional UPDATE (or DELETE) keyed on the old status, and the brick delta is
applied in the same transaction only when that statement touched the row, so re-reviews,
edits, deletes and concurrent requests keep the count exact on SQLite and PostgreSQL alike.

Files: an uploaded image is stored before the transaction (it is slow I/O) and deleted again
if the transaction fails; a replaced or deleted proof's old file is removed after commit.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from infra.errors import BadInput, Forbidden, NotFound
from infra.services import Services
from infra.storage import StoredFile, UploadFile
from infra.viewer import Viewer
from models.challenges import Role
from models.notifications import Notification, NotificationType
from models.proofs import Proof, ProofStatus
from resolvers.notifications.records import create_notification, publish_notifications
from resolvers.proofs.rules import (
    add_bricks,
    check_input,
    get_challenge,
    get_proof,
    require_member,
)

IMAGE_FOLDER = "proofs"
REVIEW_NOTICES = {
    ProofStatus.APPROVED: (NotificationType.APPROVE, "인증이 승인되었습니다: {title}"),
    ProofStatus.DENIED: (NotificationType.DENY, "인증이 거절되었습니다: {title}"),
}


async def _store(services: Services, image: UploadFile | None) -> StoredFile | None:
    if image is None:
        return None
    return await services.storage.save_image(image, folder=IMAGE_FOLDER, field="image")


async def create_proof(
    *,
    services: Services,
    viewer: Viewer,
    challenge_id: int,
    content: str,
    video_url: str | None,
    image: UploadFile | None,
) -> Proof:
    draft = check_input(content=content, video_url=video_url)
    challenge = await get_challenge(challenge_id)
    role = await require_member(challenge_id=challenge.id, member_id=viewer.id)
    # Per member and per challenge: one busy poster never holds anyone else back.
    await services.limiter.hit(
        f"create_proof:{viewer.id}:{challenge.id}", services.settings.limit_create_proof
    )
    stored = await _store(services, image)
    by_leader = role is Role.LEADER
    now = services.clock.now()
    try:
        async with in_transaction() as connection:
            proof = await Proof.create(
                using_db=connection,
                challenge_id=challenge.id,
                author_id=viewer.id,
                content=draft.content,
                video_url=draft.video_url,
                image=stored.key if stored else None,
                status=ProofStatus.APPROVED if by_leader else ProofStatus.WAITING,
                created_at=now,
                updated_at=now,
            )
            if by_leader:
                await add_bricks(connection, member_id=viewer.id, delta=1)
    except BaseException:
        await services.storage.delete(stored.key if stored else None)
        raise
    return proof


async def update_proof(
    *,
    services: Services,
    viewer: Viewer,
    proof_id: int,
    content: str,
    video_url: str | None,
    image: UploadFile | None,
) -> Proof:
    """Replace the proof's content and video URL (and image when one is uploaded).

    A member's edited proof goes back to WAITING for a new review (losing its brick if it
    was approved); the leader's own proofs need no review and keep their status.
    """
    draft = check_input(content=content, video_url=video_url)
    proof = await get_proof(proof_id)
    if proof.author_id != viewer.id:  # type: ignore[attr-defined]
        raise Forbidden("Only the author can edit this proof.")
    by_leader = proof.challenge.leader_id == viewer.id  # type: ignore[attr-defined]
    stored = await _store(services, image)
    values: dict[str, object] = {
        "content": draft.content,
        "video_url": draft.video_url,
        "updated_at": services.clock.now(),
    }
    if stored is not None:
        values["image"] = stored.key
    try:
        async with in_transaction() as connection:
            if by_leader:
                changed = await Proof.filter(id=proof.id).using_db(connection).update(**values)
            else:
                values["status"] = ProofStatus.WAITING
                changed = (
                    await Proof.filter(id=proof.id, status=ProofStatus.APPROVED)
                    .using_db(connection)
                    .update(**values)
                )
                if changed:
                    await add_bricks(connection, member_id=viewer.id, delta=-1)
                else:
                    changed = await Proof.filter(id=proof.id).using_db(connection).update(**values)
            if not changed:
                raise NotFound("This proof does not exist.")
    except BaseException:
        await services.storage.delete(stored.key if stored else None)
        raise
    if stored is not None:
        await services.storage.delete(proof.image)
    return await Proof.get(id=proof.id)


async def delete_proof(*, services: Services, viewer: Viewer, proof_id: int) -> int:
    proof = await get_proof(proof_id)
    author_id: int = proof.author_id  # type: ignore[attr-defined]
    if viewer.id not in (author_id, proof.challenge.leader_id):  # type: ignore[attr-defined]
        raise Forbidden("Only the author or the challenge leader can delete this proof.")
    async with in_transaction() as connection:
        approved = await Proof.filter(id=proof.id, status=ProofStatus.APPROVED).using_db(connection).delete()
        if approved:
            await add_bricks(connection, member_id=author_id, delta=-1)
        elif not await Proof.filter(id=proof.id).using_db(connection).delete():
            raise NotFound("This proof does not exist.")
    await services.storage.delete(proof.image)
    return int(proof.id)


async def review_proof(*, services: Services, viewer: Viewer, proof_id: int, decision: ProofStatus) -> Proof:
    """Approve or deny a proof (again, if it was resubmitted) and tell its author."""
    if decision not in REVIEW_NOTICES:
        raise BadInput("Decide APPROVED or DENIED.", field="decision")
    proof = await get_proof(proof_id)
    challenge = proof.challenge
    if challenge.leader_id != viewer.id:  # type: ignore[attr-defined]
        raise Forbidden("Only the challenge leader can review proofs.")
    author_id: int = proof.author_id  # type: ignore[attr-defined]
    notification: Notification | None = None
    now = services.clock.now()
    async with in_transaction() as connection:
        pending = Proof.filter(id=proof.id).using_db(connection)
        if decision is ProofStatus.APPROVED:
            moved = await pending.filter(status__not=ProofStatus.APPROVED).update(
                status=decision, updated_at=now
            )
            delta = 1
        else:
            moved = await pending.filter(status=ProofStatus.APPROVED).update(status=decision, updated_at=now)
            delta = -1
        if moved:
            await add_bricks(connection, member_id=author_id, delta=delta)
        elif not await pending.update(status=decision, updated_at=now):
            raise NotFound("This proof does not exist.")
        if author_id != viewer.id:  # the leader does not notify themself
            kind, text = REVIEW_NOTICES[decision]
            notification = await create_notification(
                connection=connection,
                member_id=author_id,
                type=kind,
                content=text.format(title=challenge.title),
                challenge_id=challenge.id,
                proof_id=proof.id,
                created_at=now,
            )
    if notification is not None:
        await publish_notifications(services.bus, [notification])
    return await Proof.get(id=proof.id)
