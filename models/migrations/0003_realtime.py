"""A message's clientMessageId is unique per (room, sender), not per sender: the same id in
another room is another message. Existing rows are kept.

SQLite cannot drop a table's UNIQUE constraint, and Tortoise's rebuild would drop the table
with its foreign keys enforced (deleting every ``room_log_entry`` by cascade), so on SQLite the
table is rebuilt here by hand, the way SQLite documents it: foreign keys off (outside any
transaction), then new table, copy, drop, rename, check, commit.
"""

import re

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint
from tortoise.transactions import in_transaction

OLD_FIELDS = ["sender", "client_message_id"]
NEW_FIELDS = ("room", "sender", "client_message_id")
_OLD_UNIQUE = re.compile(r'CONSTRAINT "[^"]+" UNIQUE \("sender_id", "client_message_id"\)')
_NEW_UNIQUE = 'CONSTRAINT "uid_message_room_sender_client" UNIQUE ("room_id", "sender_id", "client_message_id")'


class ScopeClientMessageIdToTheRoom(ops.TortoiseOperation):
    reduces_to_sql = False
    atomic = False  # SQLite ignores PRAGMA foreign_keys inside a transaction

    def __init__(self) -> None:
        self.remove = ops.RemoveConstraint(model_name="Message", name=None, fields=OLD_FIELDS)
        self.add = ops.AddConstraint(model_name="Message", constraint=UniqueConstraint(fields=NEW_FIELDS, name=None))

    def describe(self) -> str:
        return "Make Message.client_message_id unique per (room, sender)"

    def state_forward(self, app_label, state) -> None:
        self.remove.state_forward(app_label, state)
        self.add.state_forward(app_label, state)

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if not state_editor:
            return
        if state_editor.client.capabilities.dialect != "sqlite":
            await self._swap_constraints(app_label, old_state, new_state, state_editor)
            return
        client = state_editor.client
        _, rows = await client.execute_query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'message'")
        create, replaced = _OLD_UNIQUE.subn(_NEW_UNIQUE, rows[0]["sql"])
        if not replaced:
            raise RuntimeError("message has no UNIQUE (sender_id, client_message_id) to replace")
        create = create.replace('CREATE TABLE "message"', 'CREATE TABLE "message_new"', 1)
        await client.execute_query("PRAGMA foreign_keys = OFF")
        try:
            for statement in (
                "BEGIN",
                create,
                'INSERT INTO "message_new" SELECT * FROM "message"',
                'DROP TABLE "message"',
                'ALTER TABLE "message_new" RENAME TO "message"',
            ):
                await client.execute_query(statement)
            _, broken = await client.execute_query("PRAGMA foreign_key_check")
            if broken:
                raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:3]}")
            await client.execute_query("COMMIT")
        except BaseException:
            await client.execute_query("ROLLBACK")
            raise
        finally:
            await client.execute_query("PRAGMA foreign_keys = ON")


    async def _swap_constraints(self, app_label, old_state, new_state, state_editor) -> None:
        middle = old_state.clone()
        self.remove.state_forward(app_label, middle)
        client = state_editor.client
        async with in_transaction(client.connection_name) as transaction:
            state_editor.client = transaction
            try:
                await self.remove.database_forward(app_label, old_state, middle, state_editor)
                await self.add.database_forward(app_label, middle, new_state, state_editor)
            finally:
                state_editor.client = client


class Migration(migrations.Migration):
    dependencies = [("models", "0002_progress")]

    initial = False
    atomic = False  # see ScopeClientMessageIdToTheRoom.atomic

    operations = [ScopeClientMessageIdToTheRoom()]
