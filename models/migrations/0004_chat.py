"""Chat: reactions, replies, edits, pins, read positions and each room's latest activity.

Only new tables, nullable columns and an index: existing rows keep their meaning (no edit, no
reply, no pin, no read position yet: unread counts start at joined_at), and SQLite adds each
column in place, with no rebuild of a table that others reference.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_realtime')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Reaction',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message', fields.ForeignKeyField('models.Message', source_field='message_id', db_constraint=True, to_field='id', related_name='reactions', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='reactions', on_delete=OnDelete.CASCADE)),
                ('emoji', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reaction', 'app': 'models', 'unique_together': (('message', 'member', 'emoji'),), 'pk_attr': 'id', 'table_description': "One member's reaction with one emoji to one message."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Membership',
            name='read_seq',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Message',
            name='edited_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Message',
            name='reply_to_id',
            field=fields.BigIntField(null=True),
        ),
        ops.AddIndex(
            model_name='Message',
            index=Index(fields=['room_id', 'created_at']),
        ),
        ops.AddField(
            model_name='Room',
            name='active_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Room',
            name='pinned_message_id',
            field=fields.BigIntField(null=True),
        ),
        ops.AlterModelOptions(
            name='RoomLogEntry',
            options={'table': 'room_log_entry', 'app': 'models', 'unique_together': (('room', 'seq'),), 'pk_attr': 'id', 'table_description': "A durable non-message event of a room's log: DELETE, EDIT, REACTION or PIN of a message."},
        ),
        ops.AddField(
            model_name='RoomLogEntry',
            name='added',
            field=fields.BooleanField(null=True),
        ),
        ops.AddField(
            model_name='RoomLogEntry',
            name='emoji',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='RoomLogEntry',
            name='member_id',
            field=fields.BigIntField(null=True),
        ),
    ]
