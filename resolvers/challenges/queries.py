"""Read side of the challenges domain: one challenge, and the searchable, sorted list.

Lists are keyset-paginated: a cursor holds the sort key and the id of the last row seen, so it
stays valid while rows are added or removed. A sort is a sequence of *segments* (STARTING_SOON
lists the upcoming challenges, then the ones already running), each with its own order; the
cursor also records the segment it points into.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet

from infra.errors import BadInput
from infra.ids import MAX_ID, cursor_number, decode_cursor, encode_cursor
from infra.paging import page_size
from models.challenges import Category, Challenge
from resolvers.challenges.rules import ChallengeStatus

MAX_KEYWORD = 100

# The names the frontend shows for each category: keyword search matches them too.
CATEGORY_NAMES: dict[Category, tuple[str, ...]] = {
    Category.IT: ("IT", "아이티"),
    Category.FOREIGN_LANGUAGE: ("Foreign language", "외국어"),
    Category.MATH: ("Math", "Mathematics", "수학"),
    Category.SCIENCE: ("Science", "과학"),
    Category.HUMANITIES: ("Humanities", "인문"),
    Category.ARTS_AND_PHYSICAL_EDUCATION: ("Arts and physical education", "예체능"),
    Category.ETC: ("Etc", "Others", "기타"),
}


class ChallengeSort(StrEnum):
    LATEST = "LATEST"
    POPULAR = "POPULAR"
    STARTING_SOON = "STARTING_SOON"


@dataclass(frozen=True, slots=True)
class ChallengeFilter:
    category: Category | None = None
    query: str | None = None
    joinable: bool | None = None
    status: ChallengeStatus | None = None


@dataclass(frozen=True, slots=True)
class _Segment:
    where: Q
    order: tuple[tuple[str, bool], ...]  # (field, descending), ending with the id


@dataclass(frozen=True, slots=True)
class ChallengePage:
    rows: list[tuple[str, Challenge]]  # (cursor, challenge)
    has_next_page: bool
    has_previous_page: bool
    matching: QuerySet[Challenge]  # every challenge the filter matches, for total_count

    async def total_count(self) -> int:
        """Counted only when asked: a page that does not show the total costs no COUNT."""
        return await self.matching.count()


def _segments(sort: ChallengeSort, day: dt.date) -> list[_Segment]:
    if sort is ChallengeSort.POPULAR:
        return [_Segment(Q(), (("current_attendance", True), ("created_at", True), ("id", True)))]
    if sort is ChallengeSort.STARTING_SOON:
        # Upcoming first, the soonest on top; then those already running, most recent start first.
        return [
            _Segment(Q(start_date__gte=day), (("start_date", False), ("id", False))),
            _Segment(Q(start_date__lt=day), (("start_date", True), ("id", True))),
        ]
    return [_Segment(Q(), (("created_at", True), ("id", True)))]


def _key_to_cursor(value: object) -> int:
    if isinstance(value, dt.datetime):
        return _micros(value)
    if isinstance(value, dt.date):
        return value.toordinal()
    assert isinstance(value, int)
    return value


def _micros(value: dt.datetime) -> int:
    delta = value.astimezone(dt.UTC) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# The numbers each sort key may take: what its column can hold.
KEY_RANGES = {
    "created_at": (
        _micros(dt.datetime.min.replace(tzinfo=dt.UTC)),
        _micros(dt.datetime.max.replace(tzinfo=dt.UTC)),
    ),
    "start_date": (1, dt.date.max.toordinal()),
}


def _key_from_cursor(field: str, part: str) -> object:
    minimum, maximum = KEY_RANGES.get(field, (0, MAX_ID))
    value = cursor_number(part, field="after", minimum=minimum, maximum=maximum)
    if field == "created_at":
        return EPOCH + dt.timedelta(microseconds=value)
    if field == "start_date":
        return dt.date.fromordinal(value)
    return value


def _cursor_kind(sort: ChallengeSort) -> str:
    return f"challenges.{sort.value}"


def _cursor(sort: ChallengeSort, index: int, segment: _Segment, challenge: Challenge) -> str:
    keys = [_key_to_cursor(getattr(challenge, field)) for field, _ in segment.order]
    return encode_cursor(_cursor_kind(sort), index, *keys)


def _decode(sort: ChallengeSort, after: str, segments: list[_Segment]) -> tuple[int, list[object]]:
    # Every sort has an id-terminated order of the same length within it, so the part count is known.
    parts_count = 1 + len(segments[0].order)
    first, *keys = decode_cursor(after, _cursor_kind(sort), field="after", parts=parts_count)
    index = cursor_number(first, field="after", maximum=len(segments) - 1)
    order = segments[index].order
    return index, [_key_from_cursor(field, key) for (field, _), key in zip(order, keys, strict=True)]


def _after(segment: _Segment, keys: list[object]) -> Q:
    """Rows strictly after ``keys`` in the segment's order (a lexicographic keyset condition)."""
    clauses: list[Q] = []
    for position, (field, descending) in enumerate(segment.order):
        bounds: dict[str, Any] = {
            name: key for (name, _), key in zip(segment.order[:position], keys, strict=False)
        }
        bounds[f"{field}__{'lt' if descending else 'gt'}"] = keys[position]
        clauses.append(Q(**bounds))
    return Q(*clauses, join_type="OR")


def _filtered(where: ChallengeFilter, day: dt.date) -> QuerySet[Challenge]:
    queryset = Challenge.all()
    if where.category is not None:
        queryset = queryset.filter(category=where.category)
    keyword = (where.query or "").strip()
    if len(keyword) > MAX_KEYWORD:
        raise BadInput(f"query may be at most {MAX_KEYWORD} characters.", field="query")
    if keyword:
        # icontains escapes % and _ and binds the keyword as a parameter.
        condition = Q(title__icontains=keyword) | Q(description__icontains=keyword)
        folded = keyword.casefold()
        categories = [
            category
            for category, names in CATEGORY_NAMES.items()
            if any(folded in name.casefold() for name in names)
        ]
        if categories:
            condition |= Q(category__in=categories)
        queryset = queryset.filter(condition)
    if where.joinable is True:
        queryset = queryset.filter(current_attendance__lt=F("limit_attendance"), due_date__gte=day)
    elif where.joinable is False:
        queryset = queryset.filter(Q(current_attendance__gte=F("limit_attendance")) | Q(due_date__lt=day))
    if where.status is ChallengeStatus.UPCOMING:
        queryset = queryset.filter(start_date__gt=day)
    elif where.status is ChallengeStatus.ONGOING:
        queryset = queryset.filter(start_date__lte=day, due_date__gte=day)
    elif where.status is ChallengeStatus.FINISHED:
        queryset = queryset.filter(due_date__lt=day)
    return queryset


async def list_challenges(
    *,
    where: ChallengeFilter,
    sort: ChallengeSort,
    first: int,
    after: str | None,
    page: int | None,
    today: dt.date,
) -> ChallengePage:
    """``today``: the service's calendar day, for STARTING_SOON, ``joinable`` and ``status``."""
    page_size(first, field="first")
    if page is not None and page < 1:
        raise BadInput("page starts at 1.", field="page")
    if page is not None and after is not None:
        raise BadInput("Use either after (cursor) or page (number), not both.", field="page")
    segments = _segments(sort, today)
    start, keys = _decode(sort, after, segments) if after else (0, [])
    base = _filtered(where, today)
    offset = (page - 1) * first if page else 0

    found: list[tuple[str, Challenge]] = []
    for index in range(start, len(segments)):
        segment = segments[index]
        queryset = base.filter(segment.where)
        if keys and index == start:
            queryset = queryset.filter(_after(segment, keys))
        if offset and index < len(segments) - 1:
            # Skip whole segments the requested page lies beyond.
            size = await queryset.count()
            if offset >= size:
                offset -= size
                continue
        order = [f"-{field}" if descending else field for field, descending in segment.order]
        rows = await queryset.order_by(*order).offset(offset).limit(first + 1 - len(found))
        offset = 0
        found.extend((_cursor(sort, index, segment, row), row) for row in rows)
        if len(found) > first:
            break
    return ChallengePage(
        rows=found[:first],
        has_next_page=len(found) > first,
        has_previous_page=bool(after) or (page or 1) > 1,
        matching=base,
    )
