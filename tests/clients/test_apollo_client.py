"""Apollo Client 4 (Node 20) end to end against the real server: tests/clients/apollo/e2e.mjs.

UploadHttpLink + GraphQLWsLink split by operation type: sign up and log in, create challenges
(one with a thumbnail file), a second member joins, roomEvents from a cursor, notifications
resumed from a cursor, fetchMore paging merged by a typePolicy, and a silent token refresh on
UNAUTHENTICATED followed by the rotated token's rejection. And tests/clients/apollo/chat.mjs: an
edit and a reaction arriving through GraphQLWsLink, merged into Apollo's cache by id;
tests/clients/apollo/typing.mjs: a chat screen's typing indicator, from setTyping through
GraphQLWsLink into the cached Room.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import string
from pathlib import Path
from typing import Any

from models.accounts import Member
from models.challenges import Challenge, Membership, Role
from models.chat import Message, Reaction, RoomLogEntry
from tests.clients.conftest import Credentials
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

SCRIPT = "e2e.mjs"
CHAT_SCRIPT = "chat.mjs"


async def run_script(project: Path, env: dict[str, str], script: str = SCRIPT) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        "node",
        script,
        cwd=project,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, stdout.decode(), stderr.decode()


def result_line(stdout: str) -> dict[str, Any]:
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, stdout
    return dict(json.loads(lines[-1].removeprefix("RESULT ")))


async def test_apollo_client_runs_the_frontend_flows(
    app: AppServer,
    client: GraphQLClient,
    apollo_project: Path,
    email_code: Any,
    new_account: Any,
    settings: Any,
) -> None:
    # given a mailed sign-up code, a second member and a keyword no other test uses
    credentials: Credentials = await email_code("apollo")
    joiner: Account = await new_account()
    keyword = "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))

    # when the Apollo script runs against the server
    code, stdout, stderr = await run_script(
        apollo_project,
        {
            "EROOM_HTTP_URL": app.graphql_url,
            "EROOM_WS_URL": app.ws_url,
            "EROOM_EMAIL": credentials.email,
            "EROOM_PASSWORD": credentials.password,
            "EROOM_NICKNAME": credentials.nickname,
            "EROOM_CODE": credentials.code,
            "EROOM_MEMBER_TOKEN": joiner.token,
            "EROOM_KEYWORD": keyword,
        },
    )

    # then every step reported what the API promised
    assert code == 0, f"{stderr}\n{stdout}\n{app.log()}"
    result = result_line(stdout)
    ids = result["challengeIds"]
    assert len(ids) == 5
    assert result["viewerRole"] == "LEADER"
    assert result["joined"] == {"role": "CHALLENGER", "attendance": 2}
    assert result["messages"] == [
        {"body": "hello from apollo 1", "sender": joiner.id},
        {"body": "hello from apollo 2", "sender": joiner.id},
    ]
    assert result["registerNotice"] == "REGISTER"
    assert result["notification"] == {"type": "REGISTER", "challengeId": ids[1]}
    assert result["pageSizes"] == [2, 2, 1]
    assert result["totalCount"] == 5
    assert result["pagedIds"] == list(reversed(ids))  # LATEST: newest first
    assert result["refreshes"] == 1
    assert result["reuseCode"] == "UNAUTHENTICATED"

    # and the database holds what the client did
    await assert_database_holds(result, credentials, joiner, settings)


async def assert_database_holds(
    result: dict[str, Any], credentials: Credentials, joiner: Account, settings: Any
) -> None:
    """The rows behind what the Apollo script reported."""
    ids = result["challengeIds"]
    leader = await Member.get(email=credentials.email.lower())
    assert str(leader.id) == result["leaderId"]
    first = await Challenge.get(id=int(ids[0]))
    assert first.leader_id == leader.id  # type: ignore[attr-defined]
    assert first.thumbnail
    assert (settings.media_dir / first.thumbnail).is_file()
    assert result["thumbnailImageUrl"].endswith(first.thumbnail)
    roles = {
        (m.challenge_id, m.member_id): m.role  # type: ignore[attr-defined]
        for m in await Membership.filter(challenge_id__in=[int(i) for i in ids[:2]])
    }
    assert roles == {
        (int(ids[0]), leader.id): Role.LEADER,
        (int(ids[0]), joiner.member.id): Role.CHALLENGER,
        (int(ids[1]), leader.id): Role.LEADER,
        (int(ids[1]), joiner.member.id): Role.CHALLENGER,
    }


async def test_apollo_cache_merges_an_edit_and_a_reaction_by_id(
    app: AppServer, apollo_project: Path, new_account: Any
) -> None:
    # given a leader and a member of one challenge
    leader: Account = await new_account()
    member: Account = await new_account()
    challenge = await make_challenge(leader)
    await add_member(challenge, member)

    # when the chat script runs: the member posts, edits and reacts while the leader's client listens
    code, stdout, stderr = await run_script(
        apollo_project,
        {
            "EROOM_HTTP_URL": app.graphql_url,
            "EROOM_WS_URL": app.ws_url,
            "EROOM_LEADER_TOKEN": leader.token,
            "EROOM_LEADER_ID": leader.id,
            "EROOM_MEMBER_TOKEN": member.token,
            "EROOM_CHALLENGE_ID": str(challenge.id),
        },
        CHAT_SCRIPT,
    )

    # then the EDIT and the REACTION arrived and Message:<id> in the leader's cache holds both
    assert code == 0, f"{stderr}\n{stdout}\n{app.log()}"
    result = result_line(stdout)
    message_id = result["messageId"]
    assert result["editEvent"] == {"type": "EDIT", "messageId": message_id, "hasCursor": True}
    assert result["cachedAfterEdit"] == {"body": "no typo in this message", "edited": True}
    assert result["reactionEvent"] == {"emoji": "\U0001f44d", "reacted": True, "member": member.id}
    reactions = [{"__typename": "ReactionCount", "emoji": "\U0001f44d", "count": 1, "viewerReacted": False}]
    assert result["cachedAfterReaction"] == reactions
    assert result["history"] == {"body": "no typo in this message", "reactions": reactions}
    # and the database agrees
    row = await Message.get(id=int(message_id))
    assert (row.body, row.edited_at is not None) == ("no typo in this message", True)
    assert await Reaction.filter(message_id=row.id).values_list("member_id", flat=True) == [member.member.id]


async def test_apollo_client_merges_a_typing_indicator_into_the_cached_room(
    app: AppServer, apollo_project: Path, new_account: Any
) -> None:
    # given two members of one challenge: a typist and a watcher
    leader, typist, watcher = await new_account(), await new_account(), await new_account()
    challenge = await make_challenge(leader)
    await add_member(challenge, typist)
    await add_member(challenge, watcher)

    # when the Apollo script opens the watcher's chat screen and the typist types, then stops
    code, stdout, stderr = await run_script(
        apollo_project,
        {
            "EROOM_HTTP_URL": app.graphql_url,
            "EROOM_WS_URL": app.ws_url,
            "EROOM_CHALLENGE_ID": str(challenge.id),
            "EROOM_TYPIST_TOKEN": typist.token,
            "EROOM_TYPIST_ID": typist.id,
            "EROOM_WATCHER_TOKEN": watcher.token,
            "EROOM_WATCHER_ID": watcher.id,
        },
        script="typing.mjs",
    )

    # then the TYPING events landed in Room:<id>.typingMembers of the watcher's cache, and went
    assert code == 0, f"{stderr}\n{stdout}\n{app.log()}"
    result = result_line(stdout)
    assert result["setTyping"] is True
    assert result["cacheKey"] == f"Room:{result['roomId']}"
    nickname = typist.member.nickname
    assert result["cachedWhileTyping"] == [{"__typename": "Member", "id": typist.id, "nickname": nickname}]
    assert result["cachedAfterStop"] == []
    assert [nickname] in result["rendered"]
    assert result["rendered"][-1] == []
    assert result["serverAfterStop"] == []
    # and the typing left nothing in the database
    assert await Message.filter(room__challenge_id=challenge.id).count() == 0
    assert await RoomLogEntry.filter(room__challenge_id=challenge.id).count() == 0
