"""Real servers on loopback for the tests: redis-server, PostgreSQL, an SMTP sink, uvicorn.

Each starts on a free port in a temporary directory and is stopped by its fixture. Nothing is
mocked: the app under test talks to these exactly as it would in production.
"""

from tests.support.servers.app import AppServer, run_migrations
from tests.support.servers.ports import PROJECT, free_port, wait_for_port
from tests.support.servers.postgres import PostgresServer, postgres_server
from tests.support.servers.redis import RedisServer, redis_server
from tests.support.servers.smtp import SmtpSink

__all__ = [
    "PROJECT",
    "AppServer",
    "PostgresServer",
    "RedisServer",
    "SmtpSink",
    "free_port",
    "postgres_server",
    "redis_server",
    "run_migrations",
    "wait_for_port",
]
