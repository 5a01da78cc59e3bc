"""The one settings object. Nothing else in the project reads ``os.environ``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

VAR_DIR = Path("var")
DEV_SECRET_FILE = VAR_DIR / "dev-jwt-secret"
MIN_SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class RateLimit:
    """``COUNT/SECONDS``: at most ``count`` events per ``seconds`` window."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        count, _, seconds = text.partition("/")
        limit = cls(int(count), int(seconds))
        if limit.count < 1 or limit.seconds < 1:
            raise ValueError(f"rate limit {text!r} must be COUNT/SECONDS with both >= 1")
        return limit


Limit = Annotated[RateLimit, NoDecode]


def _dev_secret() -> str:
    """A random secret generated once per checkout and kept under ``./var``."""
    if DEV_SECRET_FILE.exists():
        return DEV_SECRET_FILE.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    DEV_SECRET_FILE.write_text(secret)
    DEV_SECRET_FILE.chmod(0o600)
    return secret


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = Field("development", alias="ENVIRONMENT")
    host: str = Field("127.0.0.1", alias="HOST")
    port: int = Field(8000, alias="PORT")
    # Proxies trusted to set the client address (X-Forwarded-For), which per-IP limits count.
    forwarded_allow_ips: str = Field("127.0.0.1", alias="FORWARDED_ALLOW_IPS")
    # On SIGTERM: longest wait for running requests before WebSockets close with 1012 (web/drain.py).
    drain_seconds: float = Field(5.0, alias="DRAIN_SECONDS", ge=0)
    # Seconds uvicorn then gives open connections and tasks before cancelling them.
    shutdown_timeout: int = Field(10, alias="SHUTDOWN_TIMEOUT", ge=0)
    # Tracing is off (nothing installed, nothing measured) unless an OTLP/HTTP endpoint is set.
    otel_exporter_otlp_endpoint: str = Field("", alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    otel_service_name: str = Field("eroom", alias="OTEL_SERVICE_NAME")

    database_url: str = Field("sqlite://var/eroom.sqlite3", alias="DATABASE_URL")
    # SQLite's sync of its WAL: NORMAL at checkpoints only (a power cut may lose the last
    # commits; a crashed process loses nothing), FULL on every commit (docs/OPERATIONS.md).
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field("NORMAL", alias="SQLITE_SYNCHRONOUS")
    redis_url: str = Field("", alias="REDIS_URL")
    broadcast_url: str = Field("", alias="BROADCAST_URL")

    jwt_secret: str = Field("", alias="JWT_SECRET")
    jwt_issuer: str = Field("eroom", alias="JWT_ISSUER")
    access_token_ttl: int = Field(3600, alias="ACCESS_TOKEN_TTL")
    refresh_token_ttl: int = Field(7 * 24 * 3600, alias="REFRESH_TOKEN_TTL")
    cookie_secure: bool = Field(False, alias="COOKIE_SECURE", validate_default=True)  # on in production
    # Argon2id cost; raising them makes every login re-hash the stored password.
    argon2_time_cost: int = Field(3, alias="ARGON2_TIME_COST")
    argon2_memory_cost: int = Field(64 * 1024, alias="ARGON2_MEMORY_COST")  # KiB
    argon2_parallelism: int = Field(4, alias="ARGON2_PARALLELISM")
    email_code_ttl: int = Field(300, alias="EMAIL_CODE_TTL")
    email_code_max_attempts: int = Field(5, alias="EMAIL_CODE_MAX_ATTEMPTS")

    smtp_host: str = Field("", alias="SMTP_HOST")
    smtp_port: int = Field(587, alias="SMTP_PORT")
    smtp_user: str = Field("", alias="SMTP_USER")
    smtp_password: str = Field("", alias="SMTP_PASSWORD")
    smtp_from: str = Field("E-room <no-reply@eroom.local>", alias="SMTP_FROM")
    smtp_starttls: bool = Field(False, alias="SMTP_STARTTLS")
    smtp_timeout: float = Field(10.0, alias="SMTP_TIMEOUT")

    media_dir: Path = Field(VAR_DIR / "media", alias="MEDIA_DIR")
    media_url: str = Field("/media/", alias="MEDIA_URL")
    media_url_ttl: int = Field(600, alias="MEDIA_URL_TTL", ge=1)  # seconds a signed media URL works

    kakao_client_id: str = Field("", alias="KAKAO_CLIENT_ID")
    kakao_client_secret: str = Field("", alias="KAKAO_CLIENT_SECRET")
    kakao_redirect_uri: str = Field("", alias="KAKAO_REDIRECT_URI")
    kakao_token_url: str = Field("https://kauth.kakao.com/oauth/token", alias="KAKAO_TOKEN_URL")
    kakao_userinfo_url: str = Field("https://kapi.kakao.com/v2/user/me", alias="KAKAO_USERINFO_URL")
    kakao_timeout: float = Field(5.0, alias="KAKAO_TIMEOUT")

    cors_origins: str = Field("http://localhost:3000,http://127.0.0.1:3000", alias="CORS_ORIGINS")
    # Unset: on, except in production (read through the properties of the same name).
    introspection_setting: bool | None = Field(None, alias="INTROSPECTION")
    field_suggestions_setting: bool | None = Field(None, alias="FIELD_SUGGESTIONS")
    graphiql_setting: bool | None = Field(None, alias="GRAPHIQL")
    legacy_graphql_ws: bool = Field(False, alias="LEGACY_GRAPHQL_WS")

    limit_send_message: Limit = Field(RateLimit(10, 5), alias="LIMIT_SEND_MESSAGE")
    limit_create_proof: Limit = Field(RateLimit(1, 5), alias="LIMIT_CREATE_PROOF")
    limit_create_challenge: Limit = Field(RateLimit(10, 3600), alias="LIMIT_CREATE_CHALLENGE")
    limit_login_failures: Limit = Field(RateLimit(10, 900), alias="LIMIT_LOGIN_FAILURES")
    limit_email_code: Limit = Field(RateLimit(1, 60), alias="LIMIT_EMAIL_CODE")
    limit_anonymous_per_ip: Limit = Field(RateLimit(60, 60), alias="LIMIT_ANONYMOUS_PER_IP")
    limit_change_password: Limit = Field(RateLimit(5, 900), alias="LIMIT_CHANGE_PASSWORD")
    limit_availability_per_ip: Limit = Field(RateLimit(30, 60), alias="LIMIT_AVAILABILITY_PER_IP")
    limit_react: Limit = Field(RateLimit(30, 10), alias="LIMIT_REACT")
    edit_window: int = Field(900, alias="EDIT_WINDOW", ge=0)  # seconds a sender may edit a message
    limit_set_typing: Limit = Field(RateLimit(20, 10), alias="LIMIT_SET_TYPING")
    limit_set_presence_status: Limit = Field(RateLimit(10, 10), alias="LIMIT_SET_PRESENCE_STATUS")
    ws_max_connections_per_member: int = Field(10, alias="WS_MAX_CONNECTIONS_PER_MEMBER")
    ws_max_anonymous_per_ip: int = Field(20, alias="WS_MAX_ANONYMOUS_PER_IP", ge=1)
    ws_max_subscriptions_per_connection: int = Field(20, alias="WS_MAX_SUBSCRIPTIONS_PER_CONNECTION")
    ws_connection_init_timeout: float = Field(5, alias="WS_CONNECTION_INIT_TIMEOUT")
    # Events queued per subscription; beyond it a stream catches up from the database, or is
    # closed (1013) so its client resumes by cursor. Live-only events (JOIN, LEAVE) may drop.
    ws_subscription_queue: int = Field(256, alias="WS_SUBSCRIPTION_QUEUE", ge=1)
    ws_max_frame_bytes: int = Field(64 * 1024, alias="WS_MAX_FRAME_BYTES")
    ws_keepalive_interval: float = Field(20, alias="WS_KEEPALIVE_INTERVAL")
    # permessage-deflate when a client offers it (browsers do): +15 µs per frame and a worse
    # p99 for frames of a few hundred bytes, so off unless bandwidth costs more than CPU.
    ws_per_message_deflate: bool = Field(False, alias="WS_PER_MESSAGE_DEFLATE")
    # First-generation GC threshold (CPython default 700). Fan-out allocates many short-lived
    # objects: 700 collects constantly, 50,000 rarely but each young pass stalls every socket for
    # tens of ms; 5,000 keeps pauses short for the same CPU (docs/PERFORMANCE.md, issue 18).
    gc_threshold: int = Field(5_000, alias="GC_THRESHOLD", ge=100)

    max_query_depth: int = Field(10, alias="MAX_QUERY_DEPTH")
    max_aliases_per_field: int = Field(15, alias="MAX_ALIASES_PER_FIELD")
    max_aliases: int = Field(50, alias="MAX_ALIASES")
    max_query_tokens: int = Field(1000, alias="MAX_QUERY_TOKENS")
    max_query_cost: int = Field(50_000, alias="MAX_QUERY_COST")
    max_batch_size: int = Field(10, alias="MAX_BATCH_SIZE")
    max_json_body_bytes: int = Field(1024 * 1024, alias="MAX_JSON_BODY_BYTES")
    max_upload_bytes: int = Field(10 * 1024 * 1024, alias="MAX_UPLOAD_BYTES")
    max_upload_files: int = Field(3, alias="MAX_UPLOAD_FILES")
    max_request_bytes: int = Field(25 * 1024 * 1024, alias="MAX_REQUEST_BYTES")

    presence_ttl: int = Field(30, alias="PRESENCE_TTL", ge=1, le=60)  # seconds
    typing_ttl: int = Field(5, alias="TYPING_TTL", ge=1, le=60)  # seconds a setTyping(true) lasts
    # Days and ISO weeks of schedules. Tortoise writes its own value ("UTC") into
    # os.environ["TIMEZONE"] when it initialises: settings are read before (get_settings), and
    # processes started after that must be given TIMEZONE explicitly.
    timezone: str = Field("Asia/Seoul", alias="TIMEZONE")
    # Runs the service's clock this many days ahead (demos, black-box tests); never in production.
    clock_shift_days: int = Field(0, alias="CLOCK_SHIFT_DAYS")
    reminder_hour: int = Field(21, alias="REMINDER_HOUR", ge=0, le=23)
    scheduler_interval: float = Field(60, alias="SCHEDULER_INTERVAL", ge=0)  # seconds; 0: no job
    notification_retention_days: int = Field(90, alias="NOTIFICATION_RETENTION_DAYS")
    log_level: str = Field("INFO", alias="LOG_LEVEL")
    log_json: bool = Field(True, alias="LOG_JSON")

    @field_validator(
        "limit_send_message",
        "limit_create_proof",
        "limit_create_challenge",
        "limit_login_failures",
        "limit_email_code",
        "limit_anonymous_per_ip",
        "limit_change_password",
        "limit_availability_per_ip",
        "limit_react",
        "limit_set_typing",
        "limit_set_presence_status",
        mode="before",
    )
    @classmethod
    def _parse_limit(cls, value: object) -> object:
        return RateLimit.parse(value) if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"TIMEZONE {value!r} is not an IANA time zone (e.g. Asia/Seoul)") from None
        return value

    @model_validator(mode="after")
    def _check_clock(self) -> Settings:
        if self.environment == "production" and self.clock_shift_days:
            raise ValueError("CLOCK_SHIFT_DAYS is for demos and tests; it is refused in production")
        return self

    @field_validator("cookie_secure")
    @classmethod
    def _secure_in_production(cls, value: bool, info: ValidationInfo) -> bool:
        # Production means HTTPS: auth cookies never travel in clear, whatever COOKIE_SECURE says.
        return value or info.data.get("environment") == "production"

    @model_validator(mode="after")
    def _check_secret(self) -> Settings:
        if self.environment == "production" and len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} random bytes in production")
        if self.jwt_secret and len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long")
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def introspection(self) -> bool:
        """``INTROSPECTION``; unset, on except in production."""
        return self._outside_production(self.introspection_setting)

    @property
    def field_suggestions(self) -> bool:
        """``FIELD_SUGGESTIONS`` ("Did you mean ...?" naming the schema's fields); unset, on except
        in production."""
        return self._outside_production(self.field_suggestions_setting)

    @property
    def graphiql(self) -> bool:
        """``GRAPHIQL``: the playground at GET /graphql; unset, on except in production."""
        return self._outside_production(self.graphiql_setting)

    def _outside_production(self, setting: bool | None) -> bool:
        return not self.is_production if setting is None else setting

    @property
    def secret(self) -> str:
        """The JWT signing secret: ``JWT_SECRET`` or the generated development secret."""
        return self.jwt_secret or _dev_secret()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def bus_url(self) -> str:
        return self.broadcast_url or self.redis_url or "memory://"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
