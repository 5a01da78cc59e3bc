"""Which operations a running server offers, by introspection: the "ours" side of a benchmark
runs only when every operation it needs is in the schema, and says "pending" otherwise."""

from __future__ import annotations

import httpx

INTROSPECTION = """
{ __schema {
    queryType { fields { name } }
    mutationType { fields { name } }
    subscriptionType { fields { name } }
} }
"""


def operations(graphql_url: str) -> set[str]:
    """``Query.x``, ``Mutation.y``, ``Subscription.z`` for every root field the server has."""
    body = httpx.post(graphql_url, json={"query": INTROSPECTION}, timeout=10).json()
    schema = body["data"]["__schema"]
    found: set[str] = set()
    roots = (("Query", "queryType"), ("Mutation", "mutationType"), ("Subscription", "subscriptionType"))
    for root, key in roots:
        for entry in (schema.get(key) or {}).get("fields") or []:
            found.add(f"{root}.{entry['name']}")
    return found


def missing(available: set[str], needed: list[str]) -> str | None:
    """The first needed operation the schema lacks, as the benchmark reports it."""
    for operation in needed:
        if operation not in available:
            return f"{operation} not in schema"
    return None
