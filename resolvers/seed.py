"""Demo data for newcomers: ``python main.py seed`` (idempotent).

Members are written directly (there is no mail to verify in a demo); everything else goes
through the same domain functions the API uses, so the demo obeys every rule: attendance,
bricks, sequence numbers and the notifications they cause. The history of the last two weeks
is written day by day on a clock moved back to that day, so challenges stand at every status
(upcoming, ongoing, finished) with proofs approved, denied and waiting on past days, and a
scheduler round at the end sends the FINISHED (and, after REMINDER_HOUR, REMINDER) notices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from infra.passwords import get_passwords
from infra.services import Services
from infra.settings import RateLimit, Settings
from infra.viewer import Viewer
from models.accounts import Member
from models.challenges import Category
from models.proofs import ProofStatus
from resolvers.challenges.create_challenge import create_challenge
from resolvers.challenges.join_challenge import join_challenge
from resolvers.challenges.rules import ChallengeFields
from resolvers.chat.mutations import send_message
from resolvers.progress.notices import run_round
from resolvers.proofs.mutations import create_proof, review_proof

PASSWORD = "Demo1234!"
HISTORY_DAYS = 14


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


@dataclass(frozen=True)
class DemoChallenge:
    title: str
    category: Category
    description: str
    explanation: str
    frequency: str
    owner: int  # index into MEMBERS
    start: int  # first day, in days from today
    days: int


CHALLENGES = (
    DemoChallenge(
        "매일 알고리즘 한 문제",
        Category.IT,
        "백준/프로그래머스 한 문제씩 풀고 인증해요.",
        "풀이 화면 캡처",
        "DAILY",
        owner=0,
        start=-10,
        days=31,
    ),
    DemoChallenge(
        "English shadowing 30분",
        Category.FOREIGN_LANGUAGE,
        "Shadow a podcast for 30 minutes.",
        "녹음 파일 링크",
        "주 3회",
        owner=1,
        start=-13,
        days=12,
    ),
    DemoChallenge(
        "수학의 정석 완주",
        Category.MATH,
        "하루 5페이지씩 풀어요.",
        "풀이 노트 사진",
        "DAILY",
        owner=2,
        start=3,
        days=30,
    ),
    DemoChallenge(
        "과학 다큐 보고 정리",
        Category.SCIENCE,
        "Watch one documentary a week and summarise it.",
        "요약 노트 사진",
        "weekly 1",
        owner=0,
        start=-7,
        days=28,
    ),
    DemoChallenge(
        "고전 읽기 모임",
        Category.HUMANITIES,
        "일주일에 두 번, 고전 한 장씩.",
        "읽은 페이지 사진",
        "주 2회",
        owner=1,
        start=-14,
        days=8,
    ),
    DemoChallenge(
        "매일 스케치 한 장",
        Category.ARTS_AND_PHYSICAL_EDUCATION,
        "Draw one sketch every day.",
        "스케치 사진",
        "매일",
        owner=2,
        start=-5,
        days=20,
    ),
    DemoChallenge(
        "자격증 공부 같이 해요",
        Category.ETC,
        "정보처리기사 필기 대비.",
        "공부 시간 기록",
        "3 times a week",
        owner=0,
        start=5,
        days=21,
    ),
)
# How often each demo member posts, out of 10 days; the first is the most diligent leader.
DILIGENCE = (8, 9, 6, 4)
CHAT = (
    (0, "오늘부터 시작합니다! 매일 한 문제씩 인증해 주세요."),
    (1, "안녕하세요, 잘 부탁드립니다 🙌"),
    (2, "Hi all! Today's problem was a tough DP one."),
    (3, "저도 참여했어요. 화이팅!"),
)


def _viewer(member: Member) -> Viewer:
    # Token expiry is real time, whatever day the demo's clock shows.
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


def _on(services: Services, day: int) -> Services:
    """The services on ``day`` (days from today): the clock moved there, and no proof limit, as
    two weeks of posts are written in seconds."""
    settings = services.settings.model_copy(update={"limit_create_proof": RateLimit(1_000_000, 1)})
    return replace(services, clock=services.clock.shifted(day), settings=settings)


def _posts(member: int, challenge: int, day: int) -> bool:
    return (member * 7 + challenge * 3 + day * 3) % 10 < DILIGENCE[member]


def _decision(member: int, day: int) -> ProofStatus | None:
    """Most proofs are approved, a few denied; the last two days' of the less diligent wait."""
    if day >= -2 and DILIGENCE[member] < DILIGENCE[0]:
        return None
    return ProofStatus.DENIED if (member + day) % 7 == 0 else ProofStatus.APPROVED


@dataclass
class Opened:
    challenge_id: int
    members: set[int]  # positions in MEMBERS


async def _open(services: Services, members: list[Member], index: int, demo: DemoChallenge) -> Opened:
    owner = members[demo.owner]
    today = services.clock.today()
    challenge = await create_challenge(
        services=services,
        viewer=_viewer(owner),
        fields=ChallengeFields(
            title=demo.title,
            category=demo.category,
            description=demo.description,
            start_date=today + dt.timedelta(days=max(demo.start, 0)),
            due_date=today + dt.timedelta(days=max(demo.start, 0) + demo.days - 1),
            frequency=demo.frequency,
            auth_explanation=demo.explanation,
            limit_attendance=5 + index,
        ),
        thumbnail=None,
    )
    opened = Opened(challenge_id=challenge.id, members={demo.owner})
    # Everyone joins the first challenge (the chat and proofs demo); the rest get a mix.
    for position, member in enumerate(members):
        if position != demo.owner and (index == 0 or (position + index) % 2 == 0):
            await join_challenge(services=services, viewer=_viewer(member), challenge_id=challenge.id)
            opened.members.add(position)
    if index == 0:
        for author, body in CHAT:
            await send_message(
                services=services, viewer=_viewer(members[author]), challenge_id=challenge.id, body=body
            )
    return opened


async def _prove(services: Services, members: list[Member], day: int, opened: dict[int, Opened]) -> None:
    """One day of proofs in every running challenge, reviewed by its leader the same day."""
    for index, challenge in opened.items():
        demo = CHALLENGES[index]
        if not demo.start <= day < demo.start + demo.days:
            continue
        for position, member in enumerate(members):
            if position not in challenge.members or not _posts(position, index, day):
                continue
            proof = await create_proof(
                services=services,
                viewer=_viewer(member),
                challenge_id=challenge.challenge_id,
                content=f"{member.nickname}의 {demo.title} 인증입니다.",
                video_url=None,
                image=None,
            )
            decision = _decision(position, day)
            if position != demo.owner and decision is not None:
                leader = _viewer(members[demo.owner])
                await review_proof(services=services, viewer=leader, proof_id=proof.id, decision=decision)


async def _world(services: Services, members: list[Member]) -> None:
    opened: dict[int, Opened] = {}
    for day in range(-HISTORY_DAYS, 1):
        on_day = _on(services, day)
        for index, demo in enumerate(CHALLENGES):
            if min(demo.start, 0) == day:
                opened[index] = await _open(on_day, members, index, demo)
        if day < 0:
            await _prove(on_day, members, day, opened)
    await _today(_on(services, 0), members, opened[0].challenge_id)
    await run_round(services)


async def _today(services: Services, members: list[Member], algorithms: int) -> None:
    """Today's proofs in the first challenge: one approved, one denied, one waiting."""
    leader, *others = members
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
