"""Chat rooms and their durable, ordered event log.

Every message and every other durable event (deletion, edit, reaction, pin) takes the room's
next sequence number (``Room.last_seq`` incremented by a conditional UPDATE inside the writing
transaction), so ``(room, seq)`` orders the whole log and a cursor is just a position in it.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.accounts import Member
from models.challenges import Challenge


class Room(Model):
    id = fields.BigIntField(primary_key=True)
    challenge: fields.OneToOneRelation[Challenge] = fields.OneToOneField(
        "models.Challenge", related_name="room", on_delete=fields.CASCADE
    )
    last_seq = fields.BigIntField(default=0)
    # When the last durable event took a seq (None: none since this column exists): myRooms' order.
    active_at = fields.DatetimeField(null=True)
    # A plain id, not a foreign key: adding a foreign key column makes SQLite rebuild the table,
    # and dropping ``room`` cascades to its whole log.
    pinned_message_id = fields.BigIntField(null=True)
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
    # The message this one answers, in the same room (a plain id: see Room.pinned_message_id).
    reply_to_id = fields.BigIntField(null=True)
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "message"
        unique_together = (("room", "seq"), ("room", "sender", "client_message_id"))
        # Unread counts of members without a read position start at their joined_at.
        indexes = (Index(fields=("room_id", "created_at")),)


class Reaction(Model):
    """One member's reaction with one emoji to one message."""

    id = fields.BigIntField(primary_key=True)
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="reactions", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="reactions", on_delete=fields.CASCADE
    )
    emoji = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reaction"
        unique_together = (("message", "member", "emoji"),)


class RoomLogEntry(Model):
    """A durable non-message event of a room's log: DELETE, EDIT, REACTION or PIN of a message.

    ``member_id`` is who reacted (REACTION); ``added`` says whether the reaction was added or
    the message pinned (false: removed, unpinned); ``emoji`` is the reaction's.
    """

    id = fields.BigIntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "models.Room", related_name="log_entries", on_delete=fields.CASCADE
    )
    seq = fields.BigIntField()
    kind = fields.CharField(max_length=16)  # "DELETE", "EDIT", "REACTION", "PIN"
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="log_entries", on_delete=fields.CASCADE
    )
    member_id = fields.BigIntField(null=True)
    emoji = fields.CharField(max_length=64, null=True)
    added = fields.BooleanField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "room_log_entry"
        unique_together = (("room", "seq"),)
