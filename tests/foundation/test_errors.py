"""Error convention: contract codes, no internals in responses."""

from __future__ import annotations

import strawberry

from infra.errors import BadInput, Conflict, RateLimited
from infra.settings import Settings
from schema.root import Schema
from tests.support.graphql import GraphQLClient

MEMBER = "query Member($id: ID!) { member(id: $id) { id } }"


@strawberry.type
class _Query:
    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError('relation "member" does not exist: SELECT password_hash FROM member')

    @strawberry.field
    def busy(self) -> str:
        raise RateLimited(12.2)

    @strawberry.field
    def taken(self) -> str:
        raise Conflict("That nickname is taken.", field="nickname")


_SCHEMA = Schema(query=_Query)


async def test_unexpected_exception_is_internal_server_error_without_details() -> None:
    result = await _SCHEMA.execute("{ broken }")

    assert result.errors is not None
    error = result.errors[0].formatted
    assert error["message"] == "Internal server error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "SELECT" not in str(error) and "Traceback" not in str(error)


async def test_domain_errors_carry_their_code_and_details() -> None:
    result = await _SCHEMA.execute("{ busy }")
    taken = await _SCHEMA.execute("{ taken }")

    assert result.errors is not None and taken.errors is not None
    assert result.errors[0].formatted["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 13}
    assert taken.errors[0].formatted["extensions"] == {"code": "CONFLICT", "field": "nickname"}


async def test_bad_input_names_the_field() -> None:
    assert BadInput("x", field="title").extensions == {"code": "BAD_USER_INPUT", "field": "title"}


async def test_member_with_invalid_id_is_bad_user_input(client: GraphQLClient) -> None:
    for bad in ["x", "-1", str(2**70), ""]:
        result = await client.execute(MEMBER, {"id": bad})

        assert result.status == 200
        assert result.code == "BAD_USER_INPUT", bad
        assert result.field == "id"


async def test_unknown_field_is_a_graphql_validation_error(client: GraphQLClient) -> None:
    result = await client.execute("{ me { id } nope }")

    assert result.code == "BAD_USER_INPUT"
    assert result.field == "query"
    assert result.data == {}


async def test_wrong_variable_type_names_the_variable(client: GraphQLClient) -> None:
    result = await client.execute(MEMBER, {"id": {"nested": True}})

    assert result.code == "BAD_USER_INPUT"
    assert result.field == "id"


def test_settings_refuse_short_secret() -> None:
    try:
        Settings(JWT_SECRET="short")  # type: ignore[call-arg]
    except ValueError as error:
        assert "JWT_SECRET" in str(error)
    else:
        raise AssertionError("a short JWT_SECRET was accepted")
