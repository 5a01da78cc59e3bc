"""The GraphQL schema: Strawberry types per domain, merged into one root in ``schema.root``."""
