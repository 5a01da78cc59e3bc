"""Input rules shared by signUp, the availability queries and the profile mutations."""

from __future__ import annotations

import re
import unicodedata

from infra.errors import BadInput

EMAIL_MAX = 254
PASSWORD_MIN, PASSWORD_MAX = 8, 15
NICKNAME_MIN, NICKNAME_MAX = 3, 10
PASSWORD_SYMBOLS = "@$!%*#?&"

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)+$")
_PASSWORD_CHARS = re.compile(rf"^[A-Za-z0-9{re.escape(PASSWORD_SYMBOLS)}]+$")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def nickname_key(nickname: str) -> str:
    """What makes two nicknames "the same" (case-insensitive, Unicode-aware)."""
    return unicodedata.normalize("NFKC", nickname).casefold()


def email_problem(email: str) -> str | None:
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        return "invalid format"
    return None


def password_problem(password: str) -> str | None:
    if len(password) < PASSWORD_MIN:
        return "too short"
    if len(password) > PASSWORD_MAX:
        return "too long"
    if not _PASSWORD_CHARS.match(password):
        return f"only letters, digits and {PASSWORD_SYMBOLS} are allowed"
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return "needs a letter and a digit"
    if not any(symbol in password for symbol in PASSWORD_SYMBOLS):
        return f"needs one of {PASSWORD_SYMBOLS}"
    return None


def nickname_problem(nickname: str) -> str | None:
    if len(nickname) < NICKNAME_MIN:
        return "too short"
    if len(nickname) > NICKNAME_MAX:
        return "too long"
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in nickname):
        return "invalid format"
    return None


def valid_email(email: str, *, field: str = "email") -> str:
    email = normalize_email(email)
    problem = email_problem(email)
    if problem:
        raise BadInput(f"Enter a valid email address ({problem}).", field=field)
    return email


def valid_password(password: str, *, field: str = "password") -> str:
    problem = password_problem(password)
    if problem:
        raise BadInput(
            f"Passwords are {PASSWORD_MIN}-{PASSWORD_MAX} characters with a letter, a digit and one "
            f"of {PASSWORD_SYMBOLS} ({problem}).",
            field=field,
        )
    return password


def valid_nickname(nickname: str, *, field: str = "nickname") -> str:
    nickname = unicodedata.normalize("NFKC", nickname.strip())
    problem = nickname_problem(nickname)
    if problem:
        raise BadInput(
            f"Nicknames are {NICKNAME_MIN}-{NICKNAME_MAX} characters without spaces ({problem}).",
            field=field,
        )
    return nickname
