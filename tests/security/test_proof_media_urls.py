"""Attacks on proof images in production: a waiting or denied proof's image is only served
through a signed, expiring URL handed to the viewers who may see the proof; approved proof
images and profile images stay public."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from models.proofs import Proof
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17
PREFLIGHT = {"apollo-require-preflight": "true"}
CREATE_PROOF = """
mutation CreateProof($challengeId: ID!, $input: ProofInput!, $image: Upload) {
  createProof(challengeId: $challengeId, input: $input, image: $image) { id status imageUrl }
}
"""
UPDATE_PROOF = (
    "mutation U($id: ID!, $input: ProofInput!) { updateProof(id: $id, input: $input) { status imageUrl } }"
)
REVIEW_PROOF = "mutation R($id: ID!) { reviewProof(id: $id, decision: APPROVED) { status imageUrl } }"
PROOF = "query P($id: ID!) { proof(id: $id) { status imageUrl } }"
PROFILE_IMAGE = "mutation I($image: Upload!) { updateProfileImage(image: $image) { profileImageUrl } }"
TTL = 2


@pytest.fixture(scope="module")
def production(app_env: dict[str, str]) -> Iterator[AppServer]:
    server = AppServer(env={**app_env, "ENVIRONMENT": "production", "MEDIA_URL_TTL": str(TTL)})
    server.start()
    yield server
    server.stop()


async def _proof_with_image(
    server: AppServer, new_account: Callable
) -> tuple[Account, Account, dict[str, str]]:
    """A leader, a member, and the member's waiting proof with an image."""
    leader, member = await new_account(session=True), await new_account(session=True)
    challenge = await make_challenge(leader)
    await add_member(challenge, member)
    async with GraphQLClient(server.url, token=member.token) as client:
        result = await client.execute(
            CREATE_PROOF,
            {"challengeId": str(challenge.id), "input": {"content": "오늘 인증"}},
            files={"image": ("proof.png", PNG, "image/png")},
            headers=PREFLIGHT,
        )
    return leader, member, result.ok()["createProof"]


def _get(server: AppServer, url: str) -> httpx.Response:
    return httpx.get(server.url + url)


async def test_unapproved_proof_image_is_served_only_through_its_signed_url(
    production: AppServer, new_account: Callable
) -> None:
    # given: a member's waiting proof with an image
    _, _, proof = await _proof_with_image(production, new_account)
    row = await Proof.get(id=int(proof["id"]))
    signed = proof["imageUrl"]

    # when: the image is fetched by its signed URL, by its bare path, and by its storage key
    by_signature = _get(production, signed)
    by_path = _get(production, urlsplit(signed).path)
    by_key = _get(production, f"/media/{row.image}")

    # then: only the signed URL serves it
    assert proof["status"] == "WAITING"
    assert "signature=" in signed
    assert (by_signature.status_code, by_signature.content) == (200, PNG)
    assert by_path.status_code == 404
    assert by_key.status_code == 404


async def test_tampered_or_expired_signed_url_is_refused(
    production: AppServer, new_account: Callable
) -> None:
    # given: a waiting proof's signed image URL
    _, _, proof = await _proof_with_image(production, new_account)
    signed = proof["imageUrl"]
    signature = signed.rsplit("signature=", 1)[1]
    tampered = signed.replace(signature, ("A" if signature[0] != "A" else "B") + signature[1:])
    stretched = signed.replace("expires=", "expires=9")

    # when: someone alters the signature or the expiry, or waits past the expiry
    altered = [_get(production, tampered), _get(production, stretched)]
    await asyncio.sleep(TTL + 1.1)
    expired = _get(production, signed)

    # then: all are refused
    assert [response.status_code for response in altered] == [403, 403]
    assert expired.status_code == 403


async def test_approved_proof_image_is_public_until_the_proof_goes_back_to_review(
    production: AppServer, new_account: Callable
) -> None:
    # given: a waiting proof with an image, approved by the leader
    leader, member, proof = await _proof_with_image(production, new_account)
    async with GraphQLClient(production.url, token=leader.token) as client:
        approved = (await client.execute(REVIEW_PROOF, {"id": proof["id"]})).ok()["reviewProof"]
    async with GraphQLClient(production.url) as anonymous:
        public = (await anonymous.execute(PROOF, {"id": proof["id"]})).ok()["proof"]

    # when: anyone fetches it, then the author edits it (back to WAITING) and it is fetched again
    before = _get(production, public["imageUrl"])
    async with GraphQLClient(production.url, token=member.token) as client:
        edited = (await client.execute(UPDATE_PROOF, {"id": proof["id"], "input": {"content": "고침"}})).ok()
    after = _get(production, public["imageUrl"])

    # then: public while approved, not once it waits for review again
    assert approved["status"] == public["status"] == "APPROVED"
    assert "signature=" not in public["imageUrl"]
    assert (before.status_code, before.content) == (200, PNG)
    assert edited["updateProof"]["status"] == "WAITING"
    assert after.status_code == 404


async def test_profile_images_stay_public_in_production(production: AppServer, new_account: Callable) -> None:
    # given: a member with a profile image
    member: Account = await new_account(session=True)
    async with GraphQLClient(production.url, token=member.token) as client:
        result = await client.execute(
            PROFILE_IMAGE, files={"image": ("me.png", PNG, "image/png")}, headers=PREFLIGHT
        )
    url = result.ok()["updateProfileImage"]["profileImageUrl"]

    # when: anyone fetches it
    response = _get(production, url)

    # then
    assert (response.status_code, response.content) == (200, PNG)
