"""updateProfileImage: images checked by content, stored under random names, old file removed."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from models.accounts import Member
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

UPDATE_PROFILE_IMAGE = (
    "mutation Update($image: Upload!) { updateProfileImage(image: $image) { id profileImageUrl } }"
)

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def media_path(app_env: dict[str, str], key: str) -> Path:
    return Path(app_env["MEDIA_DIR"]) / key


def stored_profiles(app_env: dict[str, str]) -> set[Path]:
    return set(Path(app_env["MEDIA_DIR"]).glob("profiles/*"))


async def test_update_profile_image_stores_and_serves_the_image(
    app: AppServer, app_env: dict[str, str], client_for: ClientFor, new_account: NewAccount
) -> None:
    # given a member
    account = await new_account()
    image = png()

    # when they upload a PNG under a misleading name and type
    result = await client_for(account).execute(
        UPDATE_PROFILE_IMAGE,
        {"image": None},
        files={"image": ("avatar.exe", image, "application/octet-stream")},
    )

    # then it is stored under a random .png name and served under /media/
    url = result.ok()["updateProfileImage"]["profileImageUrl"]
    member = await Member.get(id=account.member.id)
    assert member.profile_image is not None and member.profile_image.startswith("profiles/")
    assert member.profile_image.endswith(".png") and "avatar" not in member.profile_image
    assert url == f"/media/{member.profile_image}"
    async with httpx.AsyncClient(base_url=app.url) as http:
        assert (await http.get(url)).content == image


async def test_update_profile_image_again_removes_the_old_file(
    app_env: dict[str, str], client_for: ClientFor, new_account: NewAccount
) -> None:
    # given a member with a picture
    account = await new_account()
    client = client_for(account)
    await client.execute(UPDATE_PROFILE_IMAGE, files={"image": ("a.png", png(), "image/png")})
    old = (await Member.get(id=account.member.id)).profile_image
    assert old is not None and media_path(app_env, old).exists()

    # when they upload another
    result = await client.execute(UPDATE_PROFILE_IMAGE, files={"image": ("b.png", png(), "image/png")})

    # then the new file replaces the old one on disk
    assert result.ok()
    new = (await Member.get(id=account.member.id)).profile_image
    assert new is not None and new != old
    assert media_path(app_env, new).exists() and not media_path(app_env, old).exists()


async def test_update_profile_image_with_non_image_is_bad_input(
    app_env: dict[str, str], client_for: ClientFor, new_account: NewAccount
) -> None:
    # given a member
    account = await new_account()
    before = stored_profiles(app_env)

    # when they upload a script named like a PNG
    result = await client_for(account).execute(
        UPDATE_PROFILE_IMAGE, files={"image": ("photo.png", b"#!/bin/sh\necho hi\n", "image/png")}
    )

    # then the image field is rejected and nothing is stored
    assert result.code == "BAD_USER_INPUT" and result.field == "image"
    assert (await Member.get(id=account.member.id)).profile_image is None
    assert stored_profiles(app_env) == before


async def test_update_profile_image_over_the_size_limit_is_bad_input(
    start_app: Callable[..., AppServer], new_account: NewAccount
) -> None:
    # given an app accepting at most 1 KB, and a member
    server = start_app(MAX_UPLOAD_BYTES="1024")
    account = await new_account()

    # when a larger (valid) PNG is uploaded
    big = png() + b"\x00" * 2048
    async with GraphQLClient(server.url, token=account.token) as client:
        result = await client.execute(UPDATE_PROFILE_IMAGE, files={"image": ("big.png", big, "image/png")})

    # then it is refused on the image field
    assert result.code == "BAD_USER_INPUT" and result.field == "image"
    assert (await Member.get(id=account.member.id)).profile_image is None


async def test_update_profile_image_anonymously_is_unauthenticated(client: GraphQLClient) -> None:
    # when nobody is logged in
    result = await client.execute(UPDATE_PROFILE_IMAGE, files={"image": ("a.png", png(), "image/png")})

    # then it is refused
    assert result.code == "UNAUTHENTICATED" and result.data == {}
