"""challenge(id) and challenges(filter, sort, first, after, page)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from models.challenges import Category, Challenge
from tests.challenges.inputs import service_today
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient

CHALLENGES = """
query Challenges($filter: ChallengeFilter, $sort: ChallengeSort, $first: Int, $after: String, $page: Int) {
  challenges(filter: $filter, sort: $sort, first: $first, after: $after, page: $page) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title } }
    nodes { id }
  }
}
"""
CHALLENGE = """
query Challenge($id: ID!) {
  challenge(id: $id) { id title viewerRole leader { id } memberships { role member { id } } }
}
"""

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


def token() -> str:
    return "tk" + secrets.token_hex(5)


def titles(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in data["challenges"]["edges"]]


async def test_challenge_shows_viewer_role_and_memberships(
    new_account: NewAccount, client_for: ClientFor, client: GraphQLClient
) -> None:
    # given
    leader, member, stranger = await new_account(), await new_account(), await new_account()
    challenge = await make_challenge(leader)
    await add_member(challenge, member)
    variables = {"id": str(challenge.id)}

    # when
    as_member = (await client_for(member).execute(CHALLENGE, variables)).ok()["challenge"]
    as_stranger = (await client_for(stranger).execute(CHALLENGE, variables)).ok()["challenge"]
    as_anonymous = (await client.execute(CHALLENGE, variables)).ok()["challenge"]

    # then
    assert as_member["viewerRole"] == "CHALLENGER"
    assert as_stranger["viewerRole"] is None and as_anonymous["viewerRole"] is None
    assert as_member["leader"] == {"id": leader.id}
    assert as_member["memberships"] == [
        {"role": "LEADER", "member": {"id": leader.id}},
        {"role": "CHALLENGER", "member": {"id": member.id}},
    ]
    assert await Challenge.filter(id=challenge.id, current_attendance=2).exists()


async def test_challenge_unknown_id_is_null(client: GraphQLClient) -> None:
    # given
    missing = "987654321"

    # when
    result = await client.execute(CHALLENGE, {"id": missing})

    # then
    assert result.ok() == {"challenge": None}
    assert not await Challenge.filter(id=int(missing)).exists()


async def test_challenges_keyword_matches_title_description_case_insensitively(
    new_account: NewAccount, client: GraphQLClient
) -> None:
    # given
    leader, word = await new_account(), token()
    in_title = await make_challenge(leader, title=f"{word.upper()} title")
    in_description = await make_challenge(leader, title="Other")
    in_description.description = f"about {word}"
    await in_description.save()
    await make_challenge(leader, title="Unrelated")

    # when
    result = await client.execute(CHALLENGES, {"filter": {"query": word.capitalize()}})

    # then
    data = result.ok()
    assert {node["id"] for node in data["challenges"]["nodes"]} == {str(in_title.id), str(in_description.id)}
    assert data["challenges"]["totalCount"] == 2


async def test_challenges_keyword_matches_korean_category_name(
    new_account: NewAccount, client: GraphQLClient
) -> None:
    # given
    leader, word = await new_account(), token()
    math = await make_challenge(leader, title=f"{word} a", category=Category.MATH)
    await make_challenge(leader, title=f"{word} b", category=Category.SCIENCE)

    # when
    result = await client.execute(CHALLENGES, {"filter": {"query": "수학", "category": "MATH"}})
    english = await client.execute(CHALLENGES, {"filter": {"query": "MATH"}, "first": 100})

    # then
    assert str(math.id) in {node["id"] for node in result.ok()["challenges"]["nodes"]}
    assert all(node["id"] != "" for node in result.data["challenges"]["nodes"])
    assert str(math.id) in {node["id"] for node in english.ok()["challenges"]["nodes"]}
    assert await Challenge.filter(id=math.id, category=Category.MATH).exists()


async def test_challenges_keyword_wildcards_are_literal(
    new_account: NewAccount, client: GraphQLClient
) -> None:
    # given
    leader, word = await new_account(), token()
    literal = await make_challenge(leader, title=f"{word} 100%_done")
    await make_challenge(leader, title=f"{word} 100 xx done")

    # when
    result = await client.execute(CHALLENGES, {"filter": {"query": "100%_"}, "first": 100})
    everything = await client.execute(CHALLENGES, {"filter": {"query": "%"}, "first": 100})

    # then
    ids = {node["id"] for node in result.ok()["challenges"]["nodes"]}
    assert str(literal.id) in ids and len([i for i in ids if i]) == result.data["challenges"]["totalCount"]
    assert all("%" in title for title in titles(everything.ok()))
    assert await Challenge.filter(title__contains=word).count() == 2


async def test_challenges_joinable_excludes_full_and_ended(
    new_account: NewAccount, client: GraphQLClient
) -> None:
    # given
    leader, member, word = await new_account(), await new_account(), token()
    open_one = await make_challenge(leader, title=f"{word} open", limit_attendance=3)
    full = await make_challenge(leader, title=f"{word} full", limit_attendance=2)
    await add_member(full, member)
    yesterday = service_today() - dt.timedelta(days=1)
    await make_challenge(leader, title=f"{word} ended", start_date=yesterday, due_date=yesterday)

    # when
    result = await client.execute(CHALLENGES, {"filter": {"query": word, "joinable": True}})

    # then
    assert titles(result.ok()) == [f"{word} open"]
    assert (await Challenge.get(id=open_one.id)).current_attendance < 3


async def test_challenges_sorts(new_account: NewAccount, client: GraphQLClient) -> None:
    # given
    leader, word = await new_account(), token()
    today = service_today()
    old = await make_challenge(leader, title=f"{word} old", start_date=today - dt.timedelta(days=5))
    soon = await make_challenge(leader, title=f"{word} soon", start_date=today + dt.timedelta(days=1))
    later = await make_challenge(leader, title=f"{word} later", start_date=today + dt.timedelta(days=9))
    for _ in range(2):
        await add_member(old, await new_account())
    await add_member(later, await new_account())
    where = {"query": word}

    # when
    latest = await client.execute(CHALLENGES, {"filter": where, "sort": "LATEST"})
    popular = await client.execute(CHALLENGES, {"filter": where, "sort": "POPULAR"})
    starting = await client.execute(CHALLENGES, {"filter": where, "sort": "STARTING_SOON"})

    # then
    assert titles(latest.ok()) == [f"{word} later", f"{word} soon", f"{word} old"]
    assert titles(popular.ok()) == [f"{word} old", f"{word} later", f"{word} soon"]
    assert titles(starting.ok()) == [f"{word} soon", f"{word} later", f"{word} old"]
    assert soon.current_attendance == 1


@pytest.mark.parametrize("sort", ["LATEST", "POPULAR", "STARTING_SOON"])
async def test_challenges_cursor_pages_cover_all_once(
    new_account: NewAccount, client: GraphQLClient, sort: str
) -> None:
    # given
    leader, word = await new_account(), token()
    today = service_today()
    for day in range(-3, 4):
        await make_challenge(leader, title=f"{word} {day}", start_date=today + dt.timedelta(days=day))
    seen: list[str] = []
    after = None
    pages = 0

    # when
    while True:
        data = (
            await client.execute(
                CHALLENGES, {"filter": {"query": word}, "sort": sort, "first": 3, "after": after}
            )
        ).ok()
        seen += titles(data)
        pages += 1
        info = data["challenges"]["pageInfo"]
        assert info["hasPreviousPage"] == (after is not None)
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]

    # then
    assert pages == 3
    assert sorted(seen) == sorted(f"{word} {day}" for day in range(-3, 4))
    assert len(seen) == len(set(seen)) == await Challenge.filter(title__startswith=word).count()


async def test_challenges_page_numbers(new_account: NewAccount, client: GraphQLClient) -> None:
    # given
    leader, word = await new_account(), token()
    for index in range(5):
        await make_challenge(leader, title=f"{word} {index}")

    # when
    second = await client.execute(CHALLENGES, {"filter": {"query": word}, "first": 2, "page": 2})
    third = await client.execute(CHALLENGES, {"filter": {"query": word}, "first": 2, "page": 3})

    # then
    assert titles(second.ok()) == [f"{word} 2", f"{word} 1"]
    assert second.data["challenges"]["pageInfo"]["hasNextPage"] is True
    assert second.data["challenges"]["pageInfo"]["hasPreviousPage"] is True
    assert titles(third.ok()) == [f"{word} 0"]
    assert third.data["challenges"]["pageInfo"]["hasNextPage"] is False
    assert (
        third.data["challenges"]["totalCount"] == 5 == await Challenge.filter(title__startswith=word).count()
    )


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"page": 0}, "page"),
        ({"after": "bm90LWEtY3Vyc29y"}, "after"),
        ({"after": "garbage!"}, "after"),
    ],
)
async def test_challenges_bad_paging_is_bad_user_input(
    client: GraphQLClient, variables: dict[str, Any], field: str
) -> None:
    # given
    query_variables = {"sort": "LATEST", **variables}

    # when
    result = await client.execute(CHALLENGES, query_variables)

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.field == field
    assert result.data == {}


async def test_challenges_cursor_of_another_sort_is_bad_user_input(
    new_account: NewAccount, client: GraphQLClient
) -> None:
    # given
    leader, word = await new_account(), token()
    await make_challenge(leader, title=f"{word} a")
    await make_challenge(leader, title=f"{word} b")
    first = (await client.execute(CHALLENGES, {"filter": {"query": word}, "first": 1})).ok()
    cursor = first["challenges"]["pageInfo"]["endCursor"]

    # when
    result = await client.execute(CHALLENGES, {"filter": {"query": word}, "sort": "POPULAR", "after": cursor})

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.field == "after"
    assert await Challenge.filter(title__startswith=word).count() == 2
