"""Counting the SQL statements an operation sends, from Tortoise's own debug log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class SqlCounter(logging.Handler):
    """Every statement logged by ``tortoise.db_client`` while attached."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())


@contextmanager
def counting_sql() -> Iterator[SqlCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter, level = SqlCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
