import datetime as dt
import re
from collections import defaultdict

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.challenges import SchedulePeriod
from models.notifications import NotificationType
from tortoise import fields
from tortoise.indexes import Index

# The frequency forms accepted when this migration was written, kept here as they were:
# a migration must keep doing what it did, whatever the application's parser becomes.
_WEEKLY = (re.compile(r"([1-7])times?aweek"), re.compile(r"weekly([1-7])"), re.compile(r"주([1-7])회"))


def _schedule(frequency):
    text = "".join(str(frequency).split()).casefold()
    if text in ("daily", "매일"):
        return SchedulePeriod.DAY, 1
    for pattern in _WEEKLY:
        found = pattern.fullmatch(text)
        if found:
            return SchedulePeriod.WEEK, int(found.group(1))
    return None


async def fill_schedules(apps, schema_editor):
    """Each existing challenge's schedule from its frequency; DAY x 1 (the columns' default)
    when the text says nothing we understand, and the count of those is printed."""
    challenge = apps.get_model("models", "Challenge")
    groups = defaultdict(list)
    unparsed = 0
    for challenge_id, frequency in await challenge.all().values_list("id", "frequency"):
        schedule = _schedule(frequency)
        if schedule is None:
            unparsed += 1
        elif schedule != (SchedulePeriod.DAY, 1):
            groups[schedule].append(challenge_id)
    for (period, times), ids in groups.items():
        await challenge.filter(id__in=ids).update(schedule_period=period, schedule_times=times)
    print(f"0002_progress: {unparsed} challenge(s) with an unparseable frequency were given DAY x 1")


async def mark_ended_as_notified(apps, schema_editor):
    """Challenges that ended before this release get no FINISHED notice now, long after the
    fact: they are marked as done. "Before yesterday" in UTC has ended in every time zone."""
    challenge = apps.get_model("models", "Challenge")
    now = dt.datetime.now(dt.UTC)
    ended = challenge.filter(due_date__lt=now.date() - dt.timedelta(days=1), finished_notified_at=None)
    await ended.update(finished_notified_at=now)


class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Challenge',
            name='updated_at',
            field=fields.DatetimeField(auto_now=False, auto_now_add=True),
        ),
        ops.AddField(
            model_name='Challenge',
            name='finished_notified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Challenge',
            name='schedule_period',
            field=fields.CharEnumField(default=SchedulePeriod.DAY, description='DAY: DAY\nWEEK: WEEK', db_default='DAY', enum_type=SchedulePeriod, max_length=8),
        ),
        ops.AddField(
            model_name='Challenge',
            name='schedule_times',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddIndex(
            model_name='Challenge',
            index=Index(fields=['due_date', 'finished_notified_at']),
        ),
        ops.AlterField(
            model_name='Notification',
            name='type',
            field=fields.CharEnumField(description='REGISTER: REGISTER\nAPPROVE: APPROVE\nDENY: DENY\nREMINDER: REMINDER\nFINISHED: FINISHED', enum_type=NotificationType, max_length=16),
        ),
        ops.AddField(
            model_name='Notification',
            name='key',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.AlterField(
            model_name='Proof',
            name='updated_at',
            field=fields.DatetimeField(auto_now=False, auto_now_add=True),
        ),
        ops.RunPython(fill_schedules, ops.RunPython.noop),
        ops.RunPython(mark_ended_as_notified, ops.RunPython.noop),
    ]
