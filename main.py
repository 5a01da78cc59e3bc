"""E-room: the command line.

python main.py [serve]        serve the API (HOST/PORT), migrating first on SQLite
python main.py migrate        apply pending database migrations
python main.py makemigrations write a migration for model changes
python main.py seed           load idempotent demo data and print the demo logins (not in production)
python main.py schema         print the GraphQL SDL
python main.py purge          delete notifications older than NOTIFICATION_RETENTION_DAYS
python main.py tick           run one scheduler round now (REMINDER and FINISHED notices)
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from infra import db
from infra.logging import configure_logging
from infra.settings import Settings, get_settings


def serve(settings: Settings, factory: str = "web.app:create_app") -> None:
    from web.drain import serve as serve_draining

    serve_draining(settings, factory)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="main.py", description="E-room GraphQL API")
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "migrate", "makemigrations", "seed", "schema", "purge", "tick"],
    )
    parser.add_argument(
        "--check", action="store_true", help="makemigrations: exit 1 when models need a migration"
    )
    args = parser.parse_args(argv)

    if args.command == "schema":
        from schema.root import sdl

        sys.stdout.write(sdl() + "\n")
        return 0

    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    if args.command == "serve":
        serve(settings)
    elif args.command == "migrate":
        asyncio.run(db.migrate(settings))
    elif args.command == "makemigrations" and args.check:
        missing = asyncio.run(db.unmigrated_changes(settings))
        for name in missing:
            print(f"missing migration: {name}")
        return 1 if missing else 0
    elif args.command == "makemigrations":
        asyncio.run(db.make_migrations(settings))
    elif args.command == "seed" and settings.is_production:
        # The demo members log in with a password printed below and in the README.
        print(
            "seed is refused with ENVIRONMENT=production: demo logins share a public password.",
            file=sys.stderr,
        )
        return 2
    elif args.command == "seed":
        asyncio.run(seed(settings))
    elif args.command == "purge":
        print(f"purged {asyncio.run(purge(settings))} notifications")
    elif args.command == "tick":
        reminders, finished = asyncio.run(tick(settings))
        print(f"tick: {reminders} reminder(s), {finished} finished notice(s)")
    return 0


async def seed(settings: Settings) -> None:
    """Demo data for newcomers, through the same domain functions the API uses."""
    from resolvers.seed import MEMBERS, PASSWORD
    from resolvers.seed import seed as load_demo
    from web.services import build_runtime

    runtime = build_runtime(settings)
    await runtime.open(background=False)
    try:
        created = await load_demo(runtime.services)
        print("Demo data created." if created else "Demo data is already there.")
        print(f"Log in with any of these (password {PASSWORD}):")
        for demo in MEMBERS:
            print(f"  {demo.email}  ({demo.nickname})")
    finally:
        await runtime.close()


async def tick(settings: Settings) -> tuple[int, int]:
    """One scheduler round by hand (cron users, tests): it takes no lock, as the notices' keys
    in the database already make each one go out once."""
    from web.services import build_runtime

    runtime = build_runtime(settings)
    await runtime.open(background=False)
    try:
        report = await runtime.scheduler.tick(claim=False)
        assert report is not None  # claim=False always runs
        return report.reminders, report.finished
    finally:
        await runtime.close()


async def purge(settings: Settings) -> int:
    """Retention, run from cron: one command per deployment, not a timer in every instance."""
    from resolvers.notifications.retention import purge_notifications
    from web.services import build_clock

    await db.open_database(settings)
    try:
        return await purge_notifications(
            retention_days=settings.notification_retention_days, now=build_clock(settings).now()
        )
    finally:
        await db.close_database()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
