"""DataLoaders of the proofs domain: the viewer's role in a challenge (the proof's challenge
comes from :class:`resolvers.challenges.loaders.ChallengeByIdLoader`)."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models.challenges import Membership, Role

RoleKey = tuple[int, int]  # (challenge_id, member_id)


async def _roles(keys: Sequence[RoleKey]) -> list[Role | None]:
    rows = await Membership.filter(
        challenge_id__in=list({challenge for challenge, _ in keys}),
        member_id__in=list({member for _, member in keys}),
    ).values_list("challenge_id", "member_id", "role")
    roles: dict[RoleKey, Role] = {(challenge, member): Role(role) for challenge, member, role in rows}
    return [roles.get(key) for key in keys]


class RoleByChallengeMemberLoader(DataLoader[RoleKey, Role | None]):
    """The role of a member in a challenge (None when not a member), batched across challenges."""

    def __init__(self) -> None:
        super().__init__(load_fn=_roles)
