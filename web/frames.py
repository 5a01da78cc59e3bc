"""graphql-transport-ws ``next`` frames written straight to a subscriber's socket.

A room stream waiting for its next event lets the bus deliver that event at once (the express
lane, ``subscriptions/room_events.py``). This module is its last step: it writes the ``next``
frame to the connection's transport from the bus's own delivery, so one task writes an event
to every waiting subscriber, and no subscriber's task, queue, generator or ASGI send chain runs
for it. The frame's payload is the group's shared result, serialised once
(:data:`PAYLOADS`); only the operation id differs between subscribers.

It writes only where that is exactly what uvicorn would have sent: uvicorn's websockets-sansio
protocol (its default with ``websockets`` installed), after the handshake, before any close, with
no extension negotiated (``WS_PER_MESSAGE_DEFLATE`` off or not offered), and while the transport is
not paused for a slow reader. Otherwise :meth:`NextFrames.writable` says no and the event takes
the ordinary path (strawberry's send, which waits for the transport to drain, and the stream's
bounded inbox: a reader that stays behind is caught up from the database or closed with 1013).
The operation must still be the socket's: once the client completes it, or its id is reused,
nothing more is written for it.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.types import Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from subscriptions.fanout import RECENT_EVENTS, IdentityLRU

_TEXT_FIN = 0x81  # FIN, opcode 1 (text); server frames are never masked


class PayloadCache:
    """The JSON of recent ``next`` payloads (``{"data": …}``), by identity of their ``data``."""

    def __init__(self, maxsize: int = RECENT_EVENTS) -> None:
        # Bytes for the express lane, which writes an event's frames in one go; text for the
        # streams' own path, which may send it later.
        self._json: IdentityLRU[bytes] = IdentityLRU(64)
        self._texts: IdentityLRU[str] = IdentityLRU(maxsize)
        self.serialised = 0
        self.reused = 0

    def json(self, data: object) -> bytes:
        encoded = self._json.get(None, data)
        if encoded is not None:
            self.reused += 1
            return encoded
        encoded = orjson.dumps({"data": data})
        self.serialised += 1
        self._json.put(None, data, encoded)
        return encoded

    def text(self, data: object) -> str:
        text = self._texts.get(None, data)
        if text is not None:
            self.reused += 1
            return text
        encoded = self._json.get(None, data)
        text = (encoded if encoded is not None else orjson.dumps({"data": data})).decode()
        if encoded is None:
            self.serialised += 1
        self._texts.put(None, data, text)
        return text


PAYLOADS = PayloadCache()


def text_frame(payload: bytes) -> bytes:
    """``payload`` as one unmasked, unfragmented WebSocket text frame (RFC 6455 §5.2)."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", _TEXT_FIN, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", _TEXT_FIN, 126, size)
    else:
        header = struct.pack("!BBQ", _TEXT_FIN, 127, size)
    return header + payload


def next_frames(send: Send | None, operations: Mapping[str, Any], operation_id: str) -> NextFrames | None:
    """Frames of ``operation_id`` on the connection behind ``send`` (the server's own ASGI send,
    before any middleware wraps it); None unless it is an accepted websockets-sansio connection
    without extensions."""
    socket = getattr(send, "__self__", None)
    if (
        not isinstance(socket, WebSocketsSansIOProtocol)
        or not socket.handshake_complete
        or socket.initial_response is not None
        or socket.conn.extensions
    ):
        return None
    return NextFrames(socket, operations, operation_id)


class NextFrames:
    """``next`` frames of one operation on one socket, written without the ASGI chain."""

    def __init__(
        self, socket: WebSocketsSansIOProtocol, operations: Mapping[str, Any], operation_id: str
    ) -> None:
        self._socket = socket
        self._transport = socket.transport
        self._unpaused = socket.writable
        self._operations = operations
        self._id = operation_id
        self._operation: Any = None
        self._prefix = b'{"id":' + orjson.dumps(operation_id) + b',"type":"next","payload":'

    def bind(self) -> NextFrames | None:
        """Tie these frames to the operation now registered under the id (call it from the
        operation's own task, once it runs); None when there is none."""
        self._operation = self._operations.get(self._id)
        return self if self._operation is not None else None

    def writable(self) -> bool:
        """Whether the operation is still this one and running, and the socket open and not
        paused for a slow reader."""
        operation = self._operations.get(self._id)
        return (
            operation is self._operation
            and operation is not None
            and not operation.completed
            and not self._socket.close_sent
            and self._unpaused.is_set()
            and not self._transport.is_closing()
        )

    def write(self, data: object) -> None:
        """Write ``{"id":…,"type":"next","payload":{"data":…}}``; check :meth:`writable` first."""
        self._transport.write(text_frame(self._prefix + PAYLOADS.json(data) + b"}"))
