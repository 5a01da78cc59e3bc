"""createChallenge: validation, the leader's membership, the room, thumbnails, the rate limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.settings import Settings
from models.challenges import Challenge, Membership, Role
from models.chat import Room
from tests.challenges.inputs import challenge_input, png_bytes, service_today
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

CREATE_CHALLENGE = """
mutation CreateChallenge($input: CreateChallengeInput!, $thumbnail: Upload) {
  createChallenge(input: $input, thumbnail: $thumbnail) {
    id title category description startDate dueDate frequency authExplanation
    limitAttendance currentAttendance thumbnailImageUrl viewerRole
    leader { id }
    memberships { role member { id } }
  }
}
"""

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


def media_files(settings: Settings) -> set[Path]:
    folder = settings.media_dir / "thumbnails"
    return set(folder.iterdir()) if folder.exists() else set()


async def test_create_challenge_makes_viewer_leader_with_room(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader = await new_account()

    # when
    result = await client_for(leader).execute(
        CREATE_CHALLENGE, {"input": challenge_input(title="  Read daily  ")}
    )

    # then
    data = result.ok()["createChallenge"]
    assert data["title"] == "Read daily"
    assert data["currentAttendance"] == 1
    assert data["viewerRole"] == "LEADER"
    assert data["leader"] == {"id": leader.id}
    assert data["memberships"] == [{"role": "LEADER", "member": {"id": leader.id}}]
    assert data["thumbnailImageUrl"] == "/static/defaults/it.svg"
    challenge = await Challenge.get(id=int(data["id"]))
    assert challenge.leader_id == leader.member.id  # type: ignore[attr-defined]
    assert challenge.current_attendance == 1 and challenge.thumbnail is None
    assert (
        await Membership.filter(challenge=challenge, role=Role.LEADER, member_id=leader.member.id).count()
        == 1
    )
    assert await Room.filter(challenge=challenge).exists()


async def test_create_challenge_default_thumbnail_follows_category(
    new_account: NewAccount, client_for: ClientFor, client: GraphQLClient
) -> None:
    # given
    leader = await new_account()

    # when
    result = await client_for(leader).execute(
        CREATE_CHALLENGE, {"input": challenge_input(category="FOREIGN_LANGUAGE")}
    )

    # then
    url = result.ok()["createChallenge"]["thumbnailImageUrl"]
    assert url == "/static/defaults/foreign_language.svg"
    served = await client.http.get(url)
    assert served.status_code == 200 and served.content.startswith(b"<svg")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 51}, "title"),
        ({"description": "x" * 1001}, "description"),
        ({"authExplanation": "x" * 26}, "authExplanation"),
        ({"frequency": ""}, "frequency"),
        ({"frequency": "x" * 31}, "frequency"),
        ({"limitAttendance": 0}, "limitAttendance"),
        ({"limitAttendance": 101}, "limitAttendance"),
        ({"startDate": (service_today() - dt.timedelta(days=1)).isoformat()}, "startDate"),
        (
            {
                "startDate": (service_today() + dt.timedelta(days=5)).isoformat(),
                "dueDate": (service_today() + dt.timedelta(days=4)).isoformat(),
            },
            "dueDate",
        ),
    ],
)
async def test_create_challenge_rejects_invalid_field(
    new_account: NewAccount, client_for: ClientFor, overrides: dict[str, Any], field: str
) -> None:
    # given
    leader = await new_account()

    # when
    result = await client_for(leader).execute(CREATE_CHALLENGE, {"input": challenge_input(**overrides)})

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.field == field
    assert result.data == {}
    assert not await Challenge.filter(leader_id=leader.member.id).exists()


async def test_create_challenge_accepts_boundary_values(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader = await new_account()
    today = service_today().isoformat()
    values = challenge_input(
        title="x" * 50,
        description="d" * 1000,
        authExplanation="a" * 25,
        frequency="f" * 30,
        schedule={"period": "DAY", "times": 1},
        limitAttendance=100,
        startDate=today,
        dueDate=today,
    )

    # when
    result = await client_for(leader).execute(CREATE_CHALLENGE, {"input": values})

    # then
    data = result.ok()["createChallenge"]
    assert data["limitAttendance"] == 100 and data["startDate"] == data["dueDate"] == today
    assert await Challenge.filter(id=int(data["id"]), title="x" * 50).exists()


async def test_create_challenge_unknown_category_is_validation_error(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader = await new_account()

    # when
    result = await client_for(leader).execute(
        CREATE_CHALLENGE, {"input": challenge_input(category="COOKING")}
    )

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.data == {}
    assert not await Challenge.filter(leader_id=leader.member.id).exists()


async def test_create_challenge_anonymous_is_unauthenticated(client: GraphQLClient) -> None:
    # given
    title = "anonymous attempt"

    # when
    result = await client.execute(CREATE_CHALLENGE, {"input": challenge_input(title=title)})

    # then
    assert result.code == "UNAUTHENTICATED"
    assert result.data == {}
    assert not await Challenge.filter(title=title).exists()


async def test_create_challenge_with_png_thumbnail_serves_it_under_media(
    new_account: NewAccount, client_for: ClientFor, settings: Settings
) -> None:
    # given
    leader = await new_account()
    image = png_bytes()

    # when
    result = await client_for(leader).execute(
        CREATE_CHALLENGE, {"input": challenge_input()}, files={"thumbnail": ("cover.png", image, "image/png")}
    )

    # then
    data = result.ok()["createChallenge"]
    url = data["thumbnailImageUrl"]
    assert url.startswith("/media/thumbnails/") and url.endswith(".png") and "cover" not in url
    challenge = await Challenge.get(id=int(data["id"]))
    assert challenge.thumbnail is not None and url.endswith(challenge.thumbnail)
    assert (settings.media_dir / challenge.thumbnail).read_bytes() == image
    async with httpx.AsyncClient(base_url=client_for(leader).base_url) as http:
        served = await http.get(url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content == image


async def test_create_challenge_fake_png_script_is_rejected_without_leftovers(
    new_account: NewAccount, client_for: ClientFor, settings: Settings
) -> None:
    # given
    leader = await new_account()
    before = media_files(settings)
    script = b"<script>alert(document.cookie)</script>"

    # when
    result = await client_for(leader).execute(
        CREATE_CHALLENGE,
        {"input": challenge_input()},
        files={"thumbnail": ("cover.png", script, "image/png")},
    )

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.field == "thumbnail"
    assert result.data == {}
    assert not await Challenge.filter(leader_id=leader.member.id).exists()
    assert media_files(settings) == before


async def test_create_challenge_thumbnail_over_10_mb_is_rejected(
    new_account: NewAccount, client_for: ClientFor, settings: Settings
) -> None:
    # given
    leader = await new_account()
    before = media_files(settings)
    huge = png_bytes() + b"\x00" * (11 * 1024 * 1024)

    # when
    result = await client_for(leader).execute(
        CREATE_CHALLENGE, {"input": challenge_input()}, files={"thumbnail": ("big.png", huge, "image/png")}
    )

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.field == "thumbnail"
    assert not await Challenge.filter(leader_id=leader.member.id).exists()
    assert media_files(settings) == before


async def test_create_challenge_over_rate_limit_is_rate_limited(
    new_account: NewAccount, start_app: Callable[..., AppServer]
) -> None:
    # given
    server = start_app(LIMIT_CREATE_CHALLENGE="2/3600")
    leader = await new_account()
    async with GraphQLClient(server.url, token=leader.token) as graphql:
        for _ in range(2):
            (await graphql.execute(CREATE_CHALLENGE, {"input": challenge_input()})).ok()

        # when
        result = await graphql.execute(CREATE_CHALLENGE, {"input": challenge_input()})

    # then
    assert result.code == "RATE_LIMITED"
    assert result.errors[0]["extensions"]["retryAfter"] > 0
    assert await Challenge.filter(leader_id=leader.member.id).count() == 2
