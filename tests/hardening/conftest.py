"""Fixtures of the hardening tests: app instances started with their own settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import AppServer

# The real app with the test-only ``ticks``/``nodes`` subscriptions.
TICKING_APP = ("-m", "tests.hardening.ticking_app")


@pytest.fixture(scope="module")
def ticking_app(app_env: dict[str, str]) -> Iterator[AppServer]:
    server = AppServer(env=app_env, command=TICKING_APP)
    server.start()
    yield server
    server.stop()
