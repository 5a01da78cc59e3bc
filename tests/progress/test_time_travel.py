"""Black box over real servers restarted with CLOCK_SHIFT_DAYS on one database: progress and the
leaderboard after three days, for a member who keeps up and one who misses."""

from __future__ import annotations

import datetime as dt

from tests.challenges.inputs import service_today
from tests.progress.travel import JOIN, Person, Travel, call, create_challenge, prove

STANDINGS = """
query Standings($id: ID!) {
  challenge(id: $id) {
    status
    viewerProgress { required approved waiting rate misses currentStreak bestStreak doneThisPeriod rank }
    leaderboard { totalCount nodes { rank member { id } } }
    proofs(first: 20) { nodes { createdAt author { id } } }
    memberships { joinedAt member { id } }
  }
}
"""


def day_of(timestamp: str) -> dt.date:
    """The server's calendar day (Asia/Seoul) of an API timestamp."""
    return (dt.datetime.fromisoformat(timestamp) + dt.timedelta(hours=9)).date()


async def three_days(travel: Travel) -> tuple[str, Person, Person, Person]:
    """Days 0 to 2 of a daily challenge, a server per day: the keeper posts every day, the
    misser on day 2 only, the leader never; the leader approves every proof."""
    node = travel.node(0)
    leader, keeper, misser = [await travel.sign_up(node, prefix) for prefix in ("lead", "keep", "miss")]
    challenge = await create_challenge(node, leader, days=14)
    for member in (keeper, misser):
        await call(node, member, JOIN, {"id": challenge})
    await prove(node, keeper, challenge, approver=leader)
    node.stop()
    node = travel.node(1)
    await prove(node, keeper, challenge, approver=leader)
    node.stop()
    node = travel.node(2)
    await prove(node, keeper, challenge, approver=leader)
    await prove(node, misser, challenge, approver=leader)
    node.stop()
    return challenge, leader, keeper, misser


async def test_progress_and_leaderboard_after_three_days(travel: Travel) -> None:
    # given three days behind a daily challenge: the keeper proved each, the misser one
    today = service_today()
    challenge, leader, keeper, misser = await three_days(travel)

    # when they look on day 3, before posting
    node = travel.node(3)
    kept = (await call(node, keeper, STANDINGS, {"id": challenge}))["challenge"]
    missed = (await call(node, misser, STANDINGS, {"id": challenge}))["challenge"]

    # then three days count: 3 of 3 for the keeper, 1 of 3 for the misser, the leader last
    assert kept["status"] == "ONGOING"
    assert kept["viewerProgress"] == {
        "required": 3,
        "approved": 3,
        "waiting": 0,
        "rate": 1.0,
        "misses": 0,
        "currentStreak": 3,
        "bestStreak": 3,
        "doneThisPeriod": False,
        "rank": 1,
    }
    assert missed["viewerProgress"] == {
        "required": 3,
        "approved": 1,
        "waiting": 0,
        "rate": 1 / 3,
        "misses": 2,
        "currentStreak": 1,
        "bestStreak": 1,
        "doneThisPeriod": False,
        "rank": 2,
    }
    board = kept["leaderboard"]
    assert board["totalCount"] == 3
    assert [(node["rank"], node["member"]["id"]) for node in board["nodes"]] == [
        (1, keeper.id),
        (2, misser.id),
        (3, leader.id),
    ]
    # and every timestamp was written by the shifted clock
    keeper_days = sorted(
        day_of(p["createdAt"]) for p in kept["proofs"]["nodes"] if p["author"]["id"] == keeper.id
    )
    assert keeper_days == [today + dt.timedelta(days=offset) for offset in range(3)]
    assert {day_of(row["joinedAt"]) for row in kept["memberships"]} == {today}
