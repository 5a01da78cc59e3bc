"""Relay pagination pieces shared by every connection type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import strawberry


class _Cursored(Protocol):
    @property
    def cursor(self) -> str: ...


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of(cls, items: Sequence[_Cursored], *, has_next_page: bool, has_previous_page: bool) -> PageInfo:
        """The page info of ``items`` (edges or nodes with a cursor), in page order."""
        return cls(
            has_next_page=has_next_page,
            has_previous_page=has_previous_page,
            start_cursor=items[0].cursor if items else None,
            end_cursor=items[-1].cursor if items else None,
        )
