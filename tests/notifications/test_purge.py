"""`python main.py purge`: notifications older than NOTIFICATION_RETENTION_DAYS are deleted."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import Awaitable, Callable

from models.notifications import Notification
from tests.notifications.conftest import notify
from tests.support.factories import Account
from tests.support.servers import PROJECT

PURGE = [sys.executable, "main.py", "purge"]


async def test_purge_deletes_notifications_past_retention_and_keeps_the_rest(
    new_account: Callable[..., Awaitable[Account]], app_env: dict[str, str]
) -> None:
    # given notifications aged 31 days, 29 days and fresh, with a 30-day retention
    member = await new_account()
    old, recent, fresh = await notify(member), await notify(member), await notify(member)
    now = dt.datetime.now(dt.UTC)
    await Notification.filter(id=old.id).update(created_at=now - dt.timedelta(days=31))
    await Notification.filter(id=recent.id).update(created_at=now - dt.timedelta(days=29))

    # when the purge command runs
    run = await asyncio.create_subprocess_exec(
        *PURGE,
        cwd=PROJECT,
        env={**os.environ, **app_env, "NOTIFICATION_RETENTION_DAYS": "30"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(run.communicate(), timeout=60)

    # then only the old one is gone
    assert run.returncode == 0, stderr.decode()
    assert "purged" in stdout.decode()
    assert set(await Notification.filter(member_id=member.member.id).values_list("id", flat=True)) == {
        recent.id,
        fresh.id,
    }
