"""The notifications query: the viewer's own, newest first, counts, unread filter, paging."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from models.notifications import Notification, NotificationType
from schema.types.notifications import notification_cursor
from tests.notifications.conftest import notify
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient

NOTIFICATIONS = """
query Notifications($first: Int, $after: String, $unreadOnly: Boolean) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    totalCount unreadCount
    edges { cursor node { id cursor type content challengeId proofId read createdAt } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

NewAccount = Callable[..., Awaitable[Account]]


async def test_notifications_lists_a_join_to_the_leader_only(
    new_account: NewAccount, client_for: Callable[..., GraphQLClient]
) -> None:
    # given a leader whose challenge someone joined (the row joinChallenge writes)
    leader, joiner = await new_account(), await new_account()
    challenge = await make_challenge(leader, title="수학 스터디")
    await add_member(challenge, joiner)
    row = await notify(
        leader, challenge_id=challenge.id, content=f"{joiner.member.nickname}님이 수학 스터디에 참여했습니다"
    )

    # when each lists their notifications
    for_leader = (await client_for(leader).execute(NOTIFICATIONS)).ok()["notifications"]
    for_joiner = (await client_for(joiner).execute(NOTIFICATIONS)).ok()["notifications"]

    # then only the leader has it, unread, with its cursor
    assert [edge["node"] for edge in for_leader["edges"]] == [
        {
            "id": str(row.id),
            "cursor": notification_cursor(row.seq),
            "type": "REGISTER",
            "content": f"{joiner.member.nickname}님이 수학 스터디에 참여했습니다",
            "challengeId": str(challenge.id),
            "proofId": None,
            "read": False,
            "createdAt": for_leader["edges"][0]["node"]["createdAt"],
        }
    ]
    assert for_leader["edges"][0]["cursor"] == notification_cursor(row.seq)
    assert (for_leader["totalCount"], for_leader["unreadCount"]) == (1, 1)
    assert for_joiner["edges"] == [] and for_joiner["totalCount"] == 0


async def test_notifications_come_newest_first_with_counts(
    new_account: NewAccount, client_for: Callable[..., GraphQLClient]
) -> None:
    member = await new_account()
    rows = [
        await notify(member, type=kind, proof_id=7)
        for kind in (NotificationType.APPROVE, NotificationType.DENY, NotificationType.APPROVE)
    ]
    await Notification.filter(id=rows[0].id).update(read=True)

    page = (await client_for(member).execute(NOTIFICATIONS)).ok()["notifications"]

    assert [node["id"] for node in page["nodes"]] == [str(row.id) for row in reversed(rows)]
    assert [edge["node"]["type"] for edge in page["edges"]] == ["APPROVE", "DENY", "APPROVE"]
    assert [edge["node"]["read"] for edge in page["edges"]] == [False, False, True]
    assert (page["totalCount"], page["unreadCount"]) == (3, 2)


async def test_notifications_unread_only_skips_read_ones(
    new_account: NewAccount, client_for: Callable[..., GraphQLClient]
) -> None:
    member = await new_account()
    read, unread = await notify(member), await notify(member)
    await Notification.filter(id=read.id).update(read=True)

    page = (await client_for(member).execute(NOTIFICATIONS, {"unreadOnly": True})).ok()["notifications"]

    assert [node["id"] for node in page["nodes"]] == [str(unread.id)]
    assert (page["totalCount"], page["unreadCount"]) == (1, 1)


async def test_notifications_pages_follow_the_cursor(
    new_account: NewAccount, client_for: Callable[..., GraphQLClient]
) -> None:
    member = await new_account()
    rows = [await notify(member, content=f"알림 {n}") for n in range(5)]
    graphql = client_for(member)

    first = (await graphql.execute(NOTIFICATIONS, {"first": 3})).ok()["notifications"]
    rest = (await graphql.execute(NOTIFICATIONS, {"first": 3, "after": first["pageInfo"]["endCursor"]})).ok()[
        "notifications"
    ]

    assert [n["id"] for n in first["nodes"] + rest["nodes"]] == [str(r.id) for r in reversed(rows)]
    assert first["pageInfo"]["hasNextPage"] is True and rest["pageInfo"]["hasNextPage"] is False
    assert rest["pageInfo"]["hasPreviousPage"] is True
    assert first["totalCount"] == rest["totalCount"] == 5


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"first": 0}, "first"), ({"first": 101}, "first"), ({"after": "bm90LWEtY3Vyc29y"}, "after")],
)
async def test_notifications_with_bad_paging_is_bad_user_input(
    new_account: NewAccount,
    client_for: Callable[..., GraphQLClient],
    variables: dict[str, object],
    field: str,
) -> None:
    result = await client_for(await new_account()).execute(NOTIFICATIONS, variables)

    assert (result.code, result.field) == ("BAD_USER_INPUT", field)
    assert result.data.get("notifications") is None


async def test_notifications_anonymously_is_unauthenticated(client: GraphQLClient) -> None:
    result = await client.execute(NOTIFICATIONS)

    assert result.code == "UNAUTHENTICATED"
    assert result.data.get("notifications") is None
