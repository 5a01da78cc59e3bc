"""Tortoise ORM models, one module per domain, all in the Tortoise app ``models``."""

MODEL_MODULES = [
    "models.accounts",
    "models.challenges",
    "models.proofs",
    "models.chat",
    "models.notifications",
]
