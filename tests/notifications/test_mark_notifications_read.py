"""markNotificationsRead: the given ids or all, only the viewer's, returns how many changed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from models.notifications import Notification
from tests.notifications.conftest import notify
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient

MARK_NOTIFICATIONS_READ = "mutation Mark($ids: [ID!]) { markNotificationsRead(ids: $ids) }"
UNREAD = "{ notifications { unreadCount } }"

NewAccount = Callable[..., Awaitable[Account]]


async def _unread(account: Account) -> set[int]:
    unread = Notification.filter(member_id=account.member.id, read=False)
    return set(await unread.values_list("id", flat=True))


async def test_mark_notifications_read_with_ids_marks_only_those(
    new_account: NewAccount, client_for: Callable[..., GraphQLClient]
) -> None:
    member = await new_account()
    first, second, third = [await notify(member) for _ in range(3)]
    graphql = client_for(member)

    result = await graphql.execute(MARK_NOTIFICATIONS_READ, {"ids": [str(first.id), str(second.id)]})

    assert result.ok() == {"markNotificationsRead": 2}
    assert await _unread(member) == {third.id}
    assert (await graphql.execute(UNREAD)).ok()["notifications"]["unreadCount"] == 1


async def test_mark_notifications_read_again_changes_nothing(
    new_account: NewAccount, client_for: Callable[..., GraphQLClient]
) -> None:
    member = await new_account()
    row = await notify(member)
    graphql = client_for(member)
    (await graphql.execute(MARK_NOTIFICATIONS_READ, {"ids": [str(row.id)]})).ok()

    again = await graphql.execute(MARK_NOTIFICATIONS_READ, {"ids": [str(row.id)]})

    assert again.ok() == {"markNotificationsRead": 0}
    assert (await Notification.get(id=row.id)).read is True


async def test_mark_notifications_read_without_ids_marks_all_of_the_viewers(
    new_account: NewAccount, client_for: Callable[..., GraphQLClient]
) -> None:
    member, someone = await new_account(), await new_account()
    for _ in range(3):
        await notify(member)
    theirs = await notify(someone)

    result = await client_for(member).execute(MARK_NOTIFICATIONS_READ)

    assert result.ok() == {"markNotificationsRead": 3}
    assert await _unread(member) == set()
    assert await _unread(someone) == {theirs.id}


async def test_mark_notifications_read_ignores_other_members_ids(
    new_account: NewAccount, client_for: Callable[..., GraphQLClient]
) -> None:
    member, someone = await new_account(), await new_account()
    mine, theirs = await notify(member), await notify(someone)

    ids = [str(mine.id), str(theirs.id)]

    result = await client_for(member).execute(MARK_NOTIFICATIONS_READ, {"ids": ids})

    assert result.ok() == {"markNotificationsRead": 1}
    assert await _unread(member) == set()
    assert await _unread(someone) == {theirs.id}


async def test_mark_notifications_read_with_a_malformed_id_is_bad_user_input(
    new_account: NewAccount, client_for: Callable[..., GraphQLClient]
) -> None:
    member = await new_account()
    row = await notify(member)

    result = await client_for(member).execute(MARK_NOTIFICATIONS_READ, {"ids": ["abc"]})

    assert (result.code, result.field) == ("BAD_USER_INPUT", "ids")
    assert await _unread(member) == {row.id}


async def test_mark_notifications_read_anonymously_is_unauthenticated(client: GraphQLClient) -> None:
    result = await client.execute(MARK_NOTIFICATIONS_READ)

    assert result.code == "UNAUTHENTICATED"
