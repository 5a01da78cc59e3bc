"""Demo data for newcomers: ``python main.py seed`` (idempotent).

Members are written directly (there is no mail to verify in a demo); everything else goes
through the same domain functions the API uses, so the demo obeys every rule: attendance,
bricks, sequence numbers and the notifications they cause.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from infra.passwords import get_passwords
from infra.services import Services
from infra.settings import Settings
from infra.viewer import Viewer
from models.accounts import Member
from models.challenges import Category
from models.proofs import ProofStatus
from resolvers.challenges.create_challenge import create_challenge
from resolvers.challenges.join_challenge import join_challenge
from resolvers.challenges.rules import ChallengeFields
from resolvers.chat.mutations import send_message
from resolvers.proofs.mutations import create_proof, review_proof

PASSWORD = "Demo1234!"


@dataclass(frozen=True)
class DemoMember:
    email: str
    nickname: str


MEMBERS = (
    DemoMember("leader@eroom.dev", "이룸리더"),
    DemoMember("jimin@eroom.dev", "jimin"),
    DemoMember("minjun@eroom.dev", "minjun"),
    DemoMember("seoyeon@eroom.dev", "서연이"),
)

CHALLENGES: tuple[tuple[str, Category, str, str], ...] = (
    ("매일 알고리즘 한 문제", Category.IT, "백준/프로그래머스 한 문제씩 풀고 인증해요.", "풀이 화면 캡처"),
    (
        "English shadowing 30분",
        Category.FOREIGN_LANGUAGE,
        "Shadow a podcast for 30 minutes.",
        "녹음 파일 링크",
    ),
    ("수학의 정석 완주", Category.MATH, "하루 5페이지씩 풀어요.", "풀이 노트 사진"),
    (
        "과학 다큐 보고 정리",
        Category.SCIENCE,
        "Watch one documentary a week and summarise it.",
        "요약 노트 사진",
    ),
    ("고전 읽기 모임", Category.HUMANITIES, "한 달에 고전 한 권.", "읽은 페이지 사진"),
    ("매일 스케치 한 장", Category.ARTS_AND_PHYSICAL_EDUCATION, "Draw one sketch every day.", "스케치 사진"),
    ("자격증 공부 같이 해요", Category.ETC, "정보처리기사 필기 대비.", "공부 시간 기록"),
)


def _viewer(member: Member) -> Viewer:
    return Viewer(id=member.id, token_id="seed", expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))


async def _members(settings: Settings) -> list[Member]:
    passwords = get_passwords(settings)
    members = []
    for demo in MEMBERS:
        members.append(
            await Member.create(
                email=demo.email,
                nickname=demo.nickname,
                nickname_key=demo.nickname.casefold(),
                password_hash=await passwords.hash(PASSWORD),
            )
        )
    return members


async def _world(services: Services, members: list[Member]) -> None:
    leader, *others = members
    start = services.clock.today()
    challenge_ids: list[int] = []
    for index, (title, category, description, explanation) in enumerate(CHALLENGES):
        owner = members[index % 3]
        challenge = await create_challenge(
            services=services,
            viewer=_viewer(owner),
            fields=ChallengeFields(
                title=title,
                category=category,
                description=description,
                start_date=start + dt.timedelta(days=index % 3),
                due_date=start + dt.timedelta(days=30 + index),
                frequency="DAILY" if index % 2 == 0 else "주 3회",
                auth_explanation=explanation,
                limit_attendance=5 + index,
            ),
            thumbnail=None,
        )
        challenge_ids.append(challenge.id)
        # Everyone joins the first challenge (the chat and proofs demo); the rest get a mix.
        for member in members:
            if member.id != owner.id and (index == 0 or (member.id + index) % 2 == 0):
                await join_challenge(services=services, viewer=_viewer(member), challenge_id=challenge.id)

    algorithms = challenge_ids[0]  # led by `leader`, the first demo member
    lines = [
        (leader, "오늘부터 시작합니다! 매일 한 문제씩 인증해 주세요."),
        (others[0], "안녕하세요, 잘 부탁드립니다 🙌"),
        (others[1], "Hi all! Today's problem was a tough DP one."),
        (others[2], "저도 참여했어요. 화이팅!"),
    ]
    for author, body in lines:
        await send_message(services=services, viewer=_viewer(author), challenge_id=algorithms, body=body)

    for member, decision in zip(others, (ProofStatus.APPROVED, ProofStatus.DENIED, None), strict=True):
        proof = await create_proof(
            services=services,
            viewer=_viewer(member),
            challenge_id=algorithms,
            content=f"{member.nickname}의 오늘 풀이 인증입니다.",
            video_url=None,
            image=None,
        )
        if decision is not None:
            await review_proof(
                services=services, viewer=_viewer(leader), proof_id=proof.id, decision=decision
            )


async def seed(services: Services) -> bool:
    """Load the demo world unless it is there already; True when it was created now."""
    if await Member.filter(email=MEMBERS[0].email).exists():
        return False
    await _world(services, await _members(services.settings))
    return True
