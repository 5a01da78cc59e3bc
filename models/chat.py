"""Chat rooms and their durable, ordered event log.

Every message and every deletion takes the room's next sequence number (``Room.last_seq``
incremented by a conditional UPDATE inside the writing transaction), so ``(room, seq)`` orders
the whole log and a cursor is just a position in it.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts import Member
from models.challenges import Challenge


class Room(Model):
    id = fields.BigIntField(primary_key=True)
    challenge: fields.OneToOneRelation[Challenge] = fields.OneToOneField(
        "models.Challenge", related_name="room", on_delete=fields.CASCADE
    )
    last_seq = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "room"


class Message(Model):
    id = fields.BigIntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "models.Room", related_name="messages", on_delete=fields.CASCADE
    )
    seq = fields.BigIntField()
    sender: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="messages", on_delete=fields.CASCADE
    )
    body = fields.TextField()
    client_message_id = fields.CharField(max_length=64, null=True)
    deleted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "message"
        unique_together = (("room", "seq"), ("room", "sender", "client_message_id"))


class RoomLogEntry(Model):
    """A durable non-message event of a room's log (today: a message deletion)."""

    id = fields.BigIntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "models.Room", related_name="log_entries", on_delete=fields.CASCADE
    )
    seq = fields.BigIntField()
    kind = fields.CharField(max_length=16)  # "DELETE"
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="log_entries", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "room_log_entry"
        unique_together = (("room", "seq"),)
