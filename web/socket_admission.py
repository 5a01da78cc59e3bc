"""Which WebSockets may open: at most ``WS_MAX_CONNECTIONS_PER_MEMBER`` per member (across
instances) and ``WS_MAX_ANONYMOUS_PER_IP`` anonymous ones per client address (on this
instance). Beyond either the socket is refused with 4403; its slot is released when it closes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from strawberry.exceptions import ConnectionRejectionError

from infra.connection_slots import ConnectionSlots
from schema.context import Context
from web.middleware.websockets import ON_CLOSE


def _on_close(context: Context, release: Callable[[], Awaitable[None]]) -> None:
    context.request.scope.setdefault(ON_CLOSE, []).append(release)


class SocketAdmission:
    def __init__(self, slots: ConnectionSlots, *, max_anonymous_per_ip: int) -> None:
        self.slots = slots
        self.max_anonymous_per_ip = max_anonymous_per_ip
        self.anonymous: dict[str, int] = {}  # client IP -> open anonymous sockets here

    async def admit(self, context: Context) -> None:
        if context.viewer is None:
            self._admit_anonymous(context)
        else:
            await self._admit_member(context, context.viewer.id)

    async def close(self) -> None:
        await self.slots.close()

    async def _admit_member(self, context: Context, member_id: int) -> None:
        slot = await self.slots.acquire(member_id)
        if slot is None:
            raise ConnectionRejectionError({"message": "Too many open connections for this member."})

        async def release() -> None:
            await self.slots.release(member_id, slot)

        _on_close(context, release)

    def _admit_anonymous(self, context: Context) -> None:
        # Anonymous sockets cost memory but prove nothing.
        ip = context.client_ip
        if self.anonymous.get(ip, 0) >= self.max_anonymous_per_ip:
            raise ConnectionRejectionError({"message": "Too many anonymous connections from this address."})
        self.anonymous[ip] = self.anonymous.get(ip, 0) + 1

        async def release() -> None:
            left = self.anonymous.get(ip, 1) - 1
            if left > 0:
                self.anonymous[ip] = left
            else:
                self.anonymous.pop(ip, None)

        _on_close(context, release)
