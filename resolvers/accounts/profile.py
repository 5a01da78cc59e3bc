"""The viewer's own profile: nickname, picture and password."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from infra.errors import Conflict, Forbidden, NotFound
from infra.passwords import get_passwords
from infra.services import Services
from infra.storage import UploadFile
from infra.tokens import family_of
from infra.viewer import Viewer
from models.accounts import Member
from resolvers.accounts.limits import change_password_key
from resolvers.accounts.rules import nickname_key, valid_nickname, valid_password
from resolvers.accounts.sessions import end_sessions, revoke_families
from resolvers.accounts.sign_up import NICKNAME_TAKEN, ensure_nickname_free


async def _viewer_member(viewer: Viewer) -> Member:
    member = await Member.get_or_none(id=viewer.id)
    if member is None:
        raise NotFound("Your account no longer exists.")
    return member


async def update_nickname(*, viewer: Viewer, nickname: str) -> Member:
    nickname = valid_nickname(nickname)
    key = nickname_key(nickname)
    member = await _viewer_member(viewer)
    await ensure_nickname_free(key, except_member=member.id)
    try:
        async with in_transaction() as connection:
            member.nickname, member.nickname_key = nickname, key
            await member.save(using_db=connection, update_fields=["nickname", "nickname_key", "updated_at"])
    except IntegrityError:
        raise Conflict(NICKNAME_TAKEN, field="nickname") from None
    return member


async def update_profile_image(*, viewer: Viewer, image: UploadFile, services: Services) -> Member:
    member = await _viewer_member(viewer)
    stored = await services.storage.save_image(image, folder="profiles", field="image")
    old_key = member.profile_image
    try:
        async with in_transaction() as connection:
            updated = await Member.filter(id=member.id).using_db(connection).update(profile_image=stored.key)
            if not updated:
                raise NotFound("Your account no longer exists.")
    except BaseException:
        await services.storage.delete(stored.key)  # nothing points at it
        raise
    member.profile_image = stored.key
    await services.storage.delete(old_key)  # only after the commit: the row no longer needs it
    return member


async def change_password(
    *, viewer: Viewer, current_password: str, new_password: str, services: Services
) -> bool:
    passwords = get_passwords(services.settings)
    member = await _viewer_member(viewer)
    if member.password_hash is None:
        raise Forbidden("This account logs in with Kakao and has no password to change.")
    # Reserved before the password is verified, so concurrent guesses cannot outrun the limit.
    attempts = change_password_key(member.id)
    await services.limiter.hit(attempts, services.settings.limit_change_password)
    if not (await passwords.verify(member.password_hash, current_password)).valid:
        raise Forbidden("The current password is incorrect.")
    await services.limiter.reset(attempts)
    valid_password(new_password, field="newPassword")
    new_hash = await passwords.hash(new_password)
    current_family = family_of(viewer)
    async with in_transaction() as connection:
        await Member.filter(id=member.id).using_db(connection).update(password_hash=new_hash)
        # Every other session may be the attacker's; the one asking stays logged in.
        others = {"id__not": current_family} if current_family is not None else {}
        revoked = await revoke_families(connection=connection, member_id=member.id, **others)
    await end_sessions(services=services, member_id=member.id, session_ids=revoked)
    return True
