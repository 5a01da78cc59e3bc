"""Attack on the metrics: names a client makes up must never become Prometheus labels, or every
request adds a time series until the process runs out of memory."""

from __future__ import annotations

import secrets

from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer


def _series(text: str, operation: str) -> float:
    """The eroom_operations_total count with ``operation`` as its label, summed over outcomes."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith("eroom_operations_total{") and f'operation="{operation}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_made_up_root_field_names_never_become_metric_labels(
    app: AppServer, client: GraphQLClient
) -> None:
    # given: field names nobody declared, long and random
    names = [f"made_up_{secrets.token_hex(40)}" for _ in range(5)]
    before = (await client.http.get(f"{app.url}/metrics")).text

    # when: a client sends an operation for each (validation refuses them)
    for name in names:
        result = await client.execute(f"{{ {name} }}")
        assert result.code == "BAD_USER_INPUT"

    # then: none of the names is in /metrics; the refusals share one label
    after = (await client.http.get(f"{app.url}/metrics")).text
    assert not any(name in after for name in names)
    assert _series(after, "invalid") == _series(before, "invalid") + len(names)


async def test_known_and_made_up_root_fields_together_count_as_invalid(
    app: AppServer, client: GraphQLClient
) -> None:
    # given: a schema field next to a made-up one
    name = f"made_up_{secrets.token_hex(8)}"
    before = (await client.http.get(f"{app.url}/metrics")).text

    # when
    result = await client.execute(f"{{ me {{ id }} {name} }}")

    # then: the label is not built from the document
    after = (await client.http.get(f"{app.url}/metrics")).text
    assert result.code == "BAD_USER_INPUT"
    assert name not in after
    assert _series(after, "invalid") == _series(before, "invalid") + 1
