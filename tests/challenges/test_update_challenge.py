"""updateChallenge: leader only, attendance bound, thumbnail replacement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from infra.settings import Settings
from models.challenges import Challenge
from tests.challenges.inputs import png_bytes, service_today
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient

UPDATE_CHALLENGE = """
mutation UpdateChallenge($id: ID!, $input: UpdateChallengeInput!, $thumbnail: Upload) {
  updateChallenge(id: $id, input: $input, thumbnail: $thumbnail) {
    id title category limitAttendance dueDate thumbnailImageUrl
  }
}
"""

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


async def test_update_challenge_changes_only_given_fields(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader = await new_account()
    challenge = await make_challenge(leader, title="Old title")

    # when
    result = await client_for(leader).execute(
        UPDATE_CHALLENGE, {"id": str(challenge.id), "input": {"title": " New title ", "category": "MATH"}}
    )

    # then
    data = result.ok()["updateChallenge"]
    assert data["title"] == "New title" and data["category"] == "MATH"
    stored = await Challenge.get(id=challenge.id)
    assert (stored.title, stored.category.value) == ("New title", "MATH")
    assert (
        stored.description == challenge.description and stored.limit_attendance == challenge.limit_attendance
    )
    assert data["thumbnailImageUrl"] == "/static/defaults/math.svg"


async def test_update_challenge_by_non_leader_is_forbidden(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader, member = await new_account(), await new_account()
    challenge = await make_challenge(leader, title="Kept")
    await add_member(challenge, member)

    # when
    result = await client_for(member).execute(
        UPDATE_CHALLENGE, {"id": str(challenge.id), "input": {"title": "Mine"}}
    )

    # then
    assert result.code == "FORBIDDEN"
    assert result.data == {}
    assert (await Challenge.get(id=challenge.id)).title == "Kept"


async def test_update_challenge_unknown_id_is_not_found(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader = await new_account()

    # when
    result = await client_for(leader).execute(UPDATE_CHALLENGE, {"id": "987654321", "input": {"title": "x"}})

    # then
    assert result.code == "NOT_FOUND"
    assert result.data == {}


async def test_update_challenge_limit_below_attendance_is_bad_input(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader, first, second = await new_account(), await new_account(), await new_account()
    challenge = await make_challenge(leader, limit_attendance=5)
    await add_member(challenge, first)
    await add_member(challenge, second)

    # when
    result = await client_for(leader).execute(
        UPDATE_CHALLENGE, {"id": str(challenge.id), "input": {"limitAttendance": 2}}
    )

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.field == "limitAttendance"
    assert (await Challenge.get(id=challenge.id)).limit_attendance == 5


async def test_update_challenge_limit_equal_to_attendance_is_accepted(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader, member = await new_account(), await new_account()
    challenge = await make_challenge(leader, limit_attendance=5)
    await add_member(challenge, member)

    # when
    result = await client_for(leader).execute(
        UPDATE_CHALLENGE, {"id": str(challenge.id), "input": {"limitAttendance": 2}}
    )

    # then
    assert result.ok()["updateChallenge"]["limitAttendance"] == 2
    assert (await Challenge.get(id=challenge.id)).limit_attendance == 2


async def test_update_challenge_due_date_before_start_is_bad_input(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader = await new_account()
    challenge = await make_challenge(leader, start_date=service_today() + dt.timedelta(days=3))

    # when
    result = await client_for(leader).execute(
        UPDATE_CHALLENGE,
        {"id": str(challenge.id), "input": {"dueDate": (service_today() + dt.timedelta(days=2)).isoformat()}},
    )

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.field == "dueDate"
    assert (await Challenge.get(id=challenge.id)).due_date == challenge.due_date


async def test_update_challenge_new_thumbnail_replaces_old_file(
    new_account: NewAccount, client_for: ClientFor, settings: Settings
) -> None:
    # given
    leader = await new_account()
    challenge = await make_challenge(leader)
    graphql = client_for(leader)
    files = {"thumbnail": ("a.png", png_bytes(), "image/png")}
    first = await graphql.execute(UPDATE_CHALLENGE, {"id": str(challenge.id), "input": {}}, files=files)
    first.ok()
    old_key = (await Challenge.get(id=challenge.id)).thumbnail
    assert old_key is not None and (settings.media_dir / old_key).exists()

    # when
    result = await graphql.execute(UPDATE_CHALLENGE, {"id": str(challenge.id), "input": {}}, files=files)

    # then
    new_key = (await Challenge.get(id=challenge.id)).thumbnail
    assert new_key is not None and new_key != old_key
    assert result.ok()["updateChallenge"]["thumbnailImageUrl"] == f"/media/{new_key}"
    assert (settings.media_dir / new_key).exists()
    assert not (settings.media_dir / old_key).exists()


async def test_update_challenge_rejected_thumbnail_keeps_old_one(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader = await new_account()
    challenge = await make_challenge(leader, title="Same")

    # when
    result = await client_for(leader).execute(
        UPDATE_CHALLENGE,
        {"id": str(challenge.id), "input": {"title": "Changed"}},
        files={"thumbnail": ("x.png", b"#!/bin/sh\nrm -rf /\n", "image/png")},
    )

    # then
    assert result.code == "BAD_USER_INPUT" and result.field == "thumbnail"
    stored = await Challenge.get(id=challenge.id)
    assert stored.title == "Same" and stored.thumbnail is None
