"""The graphql-core executor for every operation, tuned for long-lived subscriptions.

Every operation (an HTTP request, each operation on a WebSocket, each subscription event) runs
with a shallow copy of the caller's context holding fresh DataLoaders: graphql-core builds one
executor per operation whatever the transport, so this is the one place that guarantees
operations on one socket, or events of one long subscription, never serve each other's cached
values. The fields of one operation share its loaders, which is what batches their loads.

Two more things differ from strawberry's default, and only for subscription events:

- graphql-core 3.3 builds each per-event executor as a shallow copy of the subscription's
  executor, so all events share its ``_relevant_sub_fields`` and ``_stream_usages`` memos.
  Those are keyed by ``id()`` of lists created afresh for every event and keep the lists
  alive: they grow by ~3 KB per delivered event until the subscription ends, and the full
  GCs they cause stall the loop for seconds. Each event gets its own memos here.
- A live event marked shared (:func:`subscriptions.fanout.shared`) is executed once per
  subscriber group (:func:`subscriptions.fanout.group_key`); the other subscribers of the
  group await the same result. :meth:`SubscriptionExecutor.result_now` gives that result
  without awaiting, to deliver it straight from the bus (see ``subscriptions/room_events.py``).

A subscription's source stream finds its executor in :data:`RUNNING_SUBSCRIPTION`.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar, copy_context
from enum import Enum, auto
from typing import Any

from graphql import ExecutionResult, OperationType
from graphql.pyutils import AwaitableOrValue, RefMap
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from infra.viewer import Viewer
from resolvers.loaders import Loaders
from subscriptions.fanout import RECENT_EVENTS, IdentityLRU, group_key, is_shared

_UNSET: Any = object()
log = logging.getLogger(__name__)

# Writes a result to one subscriber (None: the execution failed); False when it could not.
Sink = Callable[[ExecutionResult | None], bool]


class Sent(Enum):
    """What :meth:`SubscriptionExecutor.deliver` did with an event."""

    NOW = auto()  # written
    LATER = auto()  # will be written once the group's execution ends; the callback says whether
    NO = auto()  # declined: the subscription's own stream delivers it


class _Waiting:
    """Subscribers waiting for one group's result of one event, written by one callback when
    the execution ends (not one callback and one loop turn per subscriber)."""

    __slots__ = ("future", "subscribers")

    def __init__(self, future: asyncio.Future[ExecutionResult]) -> None:
        self.future = future
        self.subscribers: list[tuple[Sink, Callable[[bool], None]]] = []

    def __call__(self, future: asyncio.Future[ExecutionResult]) -> None:
        result = succeeded(future)
        # Emptied as it runs: the entry stays cached, its subscribers (and sockets) need not.
        subscribers, self.subscribers = self.subscribers, []
        for sink, done in subscribers:
            try:
                sent = sink(result)
            except Exception:
                log.exception("a direct write failed; the event takes the subscription's stream")
                sent = False
            try:
                done(sent)
            except Exception:  # the other subscribers' streams must still hear about theirs
                log.exception("a direct write's outcome could not be told to its stream")


class SharedResults:
    """Results of shared events per group; counters say how often work was reused."""

    def __init__(self, maxsize: int = RECENT_EVENTS) -> None:
        self._results: IdentityLRU[asyncio.Future[ExecutionResult]] = IdentityLRU(maxsize)
        # Only executions still running have waiting subscribers: a few entries are plenty.
        self._waiting: IdentityLRU[_Waiting] = IdentityLRU(256)
        self.executed = 0
        self.reused = 0

    def wait(
        self,
        group: Hashable,
        payload: object,
        future: asyncio.Future[ExecutionResult],
        sink: Sink,
        done: Callable[[bool], None],
    ) -> None:
        """Write the group's running result for ``payload`` through ``sink`` when it ends, then
        tell ``done`` whether it was written."""
        waiting = self._waiting.get(group, payload)
        if waiting is None or waiting.future is not future:
            waiting = _Waiting(future)
            self._waiting.put(group, payload, waiting)
            future.add_done_callback(waiting)
        waiting.subscribers.append((sink, done))

    def future(self, group: Hashable, payload: object) -> asyncio.Future[ExecutionResult] | None:
        """The group's result for ``payload`` as started (done or not), or None; counts a reuse."""
        future = self._results.get(group, payload)
        if future is not None:
            self.reused += 1
        return future

    def result(self, group: Hashable, payload: object) -> Awaitable[ExecutionResult] | None:
        """The group's pending or finished result for ``payload``, or None when absent."""
        future = self._results.get(group, payload)
        if future is None:
            return None
        self.reused += 1
        return asyncio.shield(future)

    def existing(self, group: Hashable, payload: object) -> AwaitableOrValue[ExecutionResult] | None:
        """The group's result for ``payload`` when another subscriber already started it: the
        result itself once finished (no await needed), else an awaitable of it; None if absent."""
        future = self._results.get(group, payload)
        if future is None:
            return None
        self.reused += 1
        if future.done() and not future.cancelled() and future.exception() is None:
            return future.result()
        return asyncio.shield(future)

    def start(self, group: Hashable, payload: object, outcome: AwaitableOrValue[ExecutionResult]) -> None:
        self.executed += 1
        if isinstance(outcome, ExecutionResult):
            future: asyncio.Future[ExecutionResult] = asyncio.get_running_loop().create_future()
            future.set_result(outcome)
        elif asyncio.iscoroutine(outcome):
            # A task, so that one subscriber going away does not cancel the group's work. Not
            # carrying RUNNING_SUBSCRIPTION: a task keeps its context while its result is cached,
            # and with it the starting subscriber's executor and connection, long gone.
            context = copy_context()
            context.run(RUNNING_SUBSCRIPTION.set, None)
            future = asyncio.get_running_loop().create_task(outcome, context=context)
        else:
            future = asyncio.ensure_future(outcome)
        self._results.put(group, payload, future)

    def __len__(self) -> int:
        return len(self._results)


SHARED_RESULTS = SharedResults()


def succeeded(future: asyncio.Future[ExecutionResult]) -> ExecutionResult | None:
    """A finished execution's result, or None when it was cancelled or raised."""
    if future.cancelled() or future.exception() is not None:
        return None
    return future.result()


# The subscription executor of the running operation's task (set when it is built).
RUNNING_SUBSCRIPTION: ContextVar[SubscriptionExecutor | None] = ContextVar("eroom_subscription", default=None)


def with_fresh_loaders(context: Any) -> Any:
    """A shallow copy of ``context`` with its own :class:`Loaders`; a context without loaders
    (e.g. a test's plain dict) is returned as it is."""
    if not isinstance(getattr(context, "loaders", None), Loaders):
        return context
    fresh = copy.copy(context)
    fresh.loaders = Loaders()
    return fresh


def viewer_of(context: object) -> int | None:
    viewer = getattr(context, "viewer", None)
    return viewer.id if isinstance(viewer, Viewer) else None


class SubscriptionExecutor(StrawberryGraphQLCoreExecutionContext):
    _group: Hashable | None = _UNSET
    _shared_payload: object = _UNSET
    _finished: AwaitableOrValue[ExecutionResult] | None = None
    _reuser: SubscriptionExecutor | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Called once per operation, from graphql-core's ``build``; the executors derived from
        # this one (per event, per deferred fragment) are copies and keep what is set here.
        super().__init__(*args, **kwargs)
        self.context_value = with_fresh_loaders(self.context_value)
        if self.operation.operation is OperationType.SUBSCRIPTION:
            # Built in the operation's own task, which its source stream runs in (not kept on
            # the context: executor and context would keep each other alive until a full GC).
            RUNNING_SUBSCRIPTION.set(self)

    def build_per_event_executor(self, payload: Any) -> SubscriptionExecutor:
        if is_shared(payload):
            group = self._subscription_group()
            existing = SHARED_RESULTS.existing(group, payload) if group is not None else None
            if existing is not None:
                return self._reusing(existing)
        return self._per_event(payload)

    def deliver(self, payload: object, sink: Sink, done: Callable[[bool], None]) -> Sent:
        """Write this subscription's result for the shared event ``payload`` through ``sink``
        without awaiting: its group's result, executed now if no subscriber of the group started
        it; if the execution awaits, once it ends (then ``done`` hears whether it was written)."""
        group = self._subscription_group() if is_shared(payload) else None
        if group is None:
            return Sent.NO
        future = SHARED_RESULTS.future(group, payload)
        if future is None:
            executor = self._per_event(payload)
            executor._group = None  # executes itself; registered for the group below
            outcome = executor.execute_operation(False)
            SHARED_RESULTS.start(group, payload, outcome)
            if isinstance(outcome, ExecutionResult):
                return Sent.NOW if sink(outcome) else Sent.NO
            future = SHARED_RESULTS.future(group, payload)
            assert future is not None
        if future.done():
            return Sent.NOW if sink(succeeded(future)) else Sent.NO
        SHARED_RESULTS.wait(group, payload, future, sink, done)
        return Sent.LATER

    def _per_event(self, payload: Any) -> SubscriptionExecutor:
        executor = copy.copy(self)
        executor.root_value = payload
        executor.collected_errors = type(self.collected_errors)()
        executor._relevant_sub_fields = {}
        executor._stream_usages = RefMap()
        executor.context_value = with_fresh_loaders(self.context_value)
        if is_shared(payload):
            executor._group = self._subscription_group()
            executor._shared_payload = payload
        else:
            executor._group = None
        return executor

    def _reusing(self, result: AwaitableOrValue[ExecutionResult]) -> SubscriptionExecutor:
        """An executor that only hands back ``result``: one per subscription, made on its first
        reuse, because copying an executor and its context per subscriber per event costs
        more than the rest of the delivery. Events of one subscription are mapped one at a
        time, so reusing it is safe."""
        reuser = self._reuser
        if reuser is None:
            reuser = self._reuser = copy.copy(self)
        reuser._finished = result
        return reuser

    def _subscription_group(self) -> Hashable | None:
        # Computed once per subscription, on the subscription's own executor.
        if self._group is _UNSET:
            self._group = group_key(
                self.schema,
                self.operation,
                self.fragment_definitions,
                dict(self.variable_values.coerced),
                viewer_of(self.context_value),
            )
        return self._group

    def execute_operation(self, serially: bool | None = None) -> Any:
        if self._finished is not None:
            finished, self._finished = self._finished, None
            return finished
        group = self._group
        if group is _UNSET or group is None:
            return super().execute_operation(serially)
        payload = self._shared_payload
        pending = SHARED_RESULTS.result(group, payload)
        if pending is not None:
            return pending
        outcome = super().execute_operation(serially)
        SHARED_RESULTS.start(group, payload, outcome)  # type: ignore[arg-type]
        if isinstance(outcome, ExecutionResult):
            return outcome
        return SHARED_RESULTS.result(group, payload)
