"""REMINDER and FINISHED notices: one scheduler round, safe to run on any number of instances.

Each notice carries a key (``reminder:<challenge>:<member>:<first day of the period>``,
``finished:<challenge>:<member>``) under a unique index, so it is stored at most once whoever
tries: keys already stored are skipped up front, and a concurrent insert of the same key fails
and rolls back. Stored notices are then published like every other notification.

* REMINDER: from REMINDER_HOUR (TIMEZONE) on the last day of a period (every day for DAY; Sunday,
  or dueDate if earlier, for WEEK), to each member of a running challenge whose
  ``doneThisPeriod`` is false.
* FINISHED: once dueDate has passed, to every member, with their final rate and rank; the
  leader's also names the winners. The challenge is then marked so later rounds skip it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from infra.services import Services
from models.accounts import Member
from models.challenges import Challenge, SchedulePeriod
from models.notifications import Notification, NotificationType
from resolvers.notifications.records import create_notification, publish_notifications
from resolvers.progress.loaders import ProgressKey, Standings, load_standings
from resolvers.progress.rules import period_bounds, winners

BATCH = 100  # challenges per standings batch
SUNDAY = 6
MAX_WINNER_NAMES = 5


@dataclass(frozen=True, slots=True)
class Notice:
    member_id: int
    challenge_id: int
    type: NotificationType
    content: str
    key: str


@dataclass(frozen=True, slots=True)
class RoundReport:
    reminders: int
    finished: int


async def _send(services: Services, notices: Sequence[Notice]) -> int:
    """Store and publish the notices whose key is not stored yet; how many were new."""
    if not notices:
        return 0
    keys = [notice.key for notice in notices]
    stored = {str(key) for key in await Notification.filter(key__in=keys).values_list("key", flat=True)}
    sent = 0
    for notice in notices:
        if notice.key in stored:
            continue
        try:
            async with in_transaction() as connection:
                notification = await create_notification(
                    connection=connection,
                    member_id=notice.member_id,
                    type=notice.type,
                    content=notice.content,
                    challenge_id=notice.challenge_id,
                    created_at=services.clock.now(),
                    key=notice.key,
                )
        except IntegrityError:
            continue  # another instance or round stored it first
        await publish_notifications(services.bus, [notification])
        sent += 1
    return sent


def _reminders(challenge: Challenge, standings: Standings, today: dt.date, zone: dt.tzinfo) -> list[Notice]:
    period_start, _ = period_bounds(today, challenge.schedule_period)
    if challenge.schedule_period is SchedulePeriod.DAY:
        content = f"오늘 {challenge.title} 챌린지 인증이 아직 없어요. 잊지 말고 인증해 주세요!"
    else:
        content = f"이번 주 {challenge.title} 챌린지 인증이 아직 남았어요. 오늘이 이번 주 마지막 날이에요!"
    return [
        Notice(
            member_id=standing.member_id,
            challenge_id=challenge.id,
            type=NotificationType.REMINDER,
            content=content,
            key=f"reminder:{challenge.id}:{standing.member_id}:{period_start.isoformat()}",
        )
        for standing in standings.leaderboard
        if not standing.counts.done_this_period and standing.joined_at.astimezone(zone).date() <= today
    ]


async def send_reminders(services: Services) -> int:
    """REMINDERs for the running challenges whose current period ends today."""
    clock = services.clock
    today = clock.today()
    ending_today = Q(schedule_period=SchedulePeriod.DAY) | Q(due_date=today)
    if today.weekday() == SUNDAY:
        ending_today = Q()
    running = Challenge.filter(ending_today, start_date__lte=today, due_date__gte=today).order_by("id")
    sent, after = 0, 0
    while batch := await running.filter(id__gt=after).limit(BATCH):
        all_standings = await load_standings([ProgressKey.of(challenge, clock) for challenge in batch])
        notices = [
            notice
            for challenge, standings in zip(batch, all_standings, strict=True)
            for notice in _reminders(challenge, standings, today, clock.zone)
        ]
        sent += await _send(services, notices)
        after = batch[-1].id
    return sent


async def _winner_names(standings: Standings) -> str:
    ids = [standing.member_id for standing in winners(standings.leaderboard)]
    names = dict(await Member.filter(id__in=ids).values_list("id", "nickname"))
    listed = ", ".join(str(names[member_id]) for member_id in ids[:MAX_WINNER_NAMES] if member_id in names)
    extra = len(ids) - MAX_WINNER_NAMES
    return f"{listed} 외 {extra}명" if extra > 0 else listed


async def _finished(challenge: Challenge, standings: Standings) -> list[Notice]:
    notices = []
    for standing in standings.leaderboard:
        content = (
            f"{challenge.title} 챌린지가 끝났습니다: "
            f"달성률 {round(float(standing.counts.rate) * 100)}%, {standing.rank}위"
        )
        if standing.member_id == challenge.leader_id:  # type: ignore[attr-defined]
            content += f" (우승: {await _winner_names(standings)})"
        notices.append(
            Notice(
                member_id=standing.member_id,
                challenge_id=challenge.id,
                type=NotificationType.FINISHED,
                content=content,
                key=f"finished:{challenge.id}:{standing.member_id}",
            )
        )
    return notices


async def send_finished(services: Services) -> int:
    """FINISHED notices for every challenge whose dueDate has passed and that is not marked yet."""
    clock = services.clock
    ended = Challenge.filter(due_date__lt=clock.today(), finished_notified_at__isnull=True).order_by("id")
    sent = 0
    while batch := await ended.limit(BATCH):
        all_standings = await load_standings([ProgressKey.of(challenge, clock) for challenge in batch])
        for challenge, standings in zip(batch, all_standings, strict=True):
            sent += await _send(services, await _finished(challenge, standings))
            await Challenge.filter(id=challenge.id).update(finished_notified_at=clock.now())
    return sent


async def run_round(services: Services) -> RoundReport:
    """One round: FINISHED notices, then REMINDERs once it is REMINDER_HOUR or later."""
    finished = await send_finished(services)
    reminders = 0
    if services.clock.local_now().hour >= services.settings.reminder_hour:
        reminders = await send_reminders(services)
    return RoundReport(reminders=reminders, finished=finished)
