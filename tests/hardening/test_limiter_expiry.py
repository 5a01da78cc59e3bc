"""The in-process fallback of the Limiter drops windows that are over once it holds too many
keys, and only those: each window is over after its own limit's seconds."""

from __future__ import annotations

import asyncio

import pytest

from infra.errors import RateLimited
from infra.limits import Limiter
from infra.settings import RateLimit

# Stand-ins for a per-minute limit and the 15-minute login-failure limit, with a short window
# that is over within the test.
SHORT = RateLimit(1, 1)
LONG = RateLimit(1, 900)


async def test_purge_by_a_short_limit_keeps_a_long_window_counting() -> None:
    # given: a long window at its limit, and past the key cap a short window that is over
    limiter = Limiter(max_local_keys=1)
    await limiter.hit("login-failures:a@example.com", LONG)
    await limiter.hit("send_message:1", SHORT)
    await asyncio.sleep(SHORT.seconds + 0.05)

    # when: a short limit's call opens a new window, which drops the windows that are over
    await limiter.hit("send_message:2", SHORT)

    # then: the long window still counts, and refuses
    with pytest.raises(RateLimited) as refused:
        await limiter.hit("login-failures:a@example.com", LONG)
    assert refused.value.retry_after > LONG.seconds - 5
    assert set(limiter._local) == {"login-failures:a@example.com", "send_message:2"}
