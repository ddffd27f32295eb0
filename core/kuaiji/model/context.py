"""What a hook sees: the candidate, the exam, the evaluation time, the region chain and the
schedule merged along that chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from kuaiji.model.candidate import Candidate, Gender, IdType
from kuaiji.model.clock import WorkdayAnswer, workdays_before
from kuaiji.model.results import (
    Contact,
    Event,
    ExamLevel,
    Fact,
    Jurisdiction,
    Platform,
    Reliability,
    Requirement,
    ReviewTime,
    Role,
)


@attrs.frozen
class PhotoInfo:
    """What the core read of a candidate's photo file (kuaiji.io.photo reads it)."""

    path: Path
    suffix: str  # lower-case, without the dot
    size_bytes: int
    format: str | None  # "jpeg", "png", or another format name Pillow reports
    width: int
    height: int
    mode: str


@attrs.frozen
class Region:
    """A region resolved to its jurisdiction chain, broadest (``CN``) first.

    What follows from the chain alone (its plugins, the doubtful URLs, the review time, the
    nearest bureau, the platform for a role on a day) is worked out once per region: a
    resolved region is shared by all the candidates of a batch who live there, and every
    rule asks for these."""

    code: str  # as given, normalised: a 6-digit code, a prefix, or a jurisdiction code
    name: str
    chain: tuple[Jurisdiction, ...]
    contacts: tuple[Contact, ...] = ()  # the nearest finance bureaus' offices, when known
    _derived: dict[str, Any] = attrs.field(init=False, factory=dict, eq=False, repr=False)
    _platforms: dict[tuple[Role, dt.date], Platform | None] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )

    def _once(self, name: str, make: Callable[[], Any]) -> Any:
        try:
            return self._derived[name]
        except KeyError:
            value = self._derived[name] = make()
            return value

    @property
    def contact_text(self) -> str | None:
        """The nearest bureau in one line (name, phones, address), or None when unknown."""
        text: str | None = self._once("contact_text", self._contact_text)
        return text

    def _contact_text(self) -> str | None:
        if not self.contacts:
            return None
        c = self.contacts[0]
        phones = "、".join(c.phones) or "电话未知"
        address = f"，{c.address}" if c.address else ""
        return f"{c.name}（{phones}{address}）"

    @property
    def plugins(self) -> tuple[str, ...]:
        """The plugins serving the chain, broadest first, each once."""
        plugins: tuple[str, ...] = self._once(
            "plugins", lambda: tuple(dict.fromkeys(j.plugin for j in self.chain))
        )
        return plugins

    @property
    def chain_codes(self) -> tuple[str, ...]:
        """The codes of the chain's jurisdictions, broadest first."""
        codes: tuple[str, ...] = self._once(
            "chain_codes", lambda: tuple(j.code for j in self.chain)
        )
        return codes

    @property
    def jurisdiction(self) -> Jurisdiction:
        """The most specific jurisdiction."""
        return self.chain[-1]

    @property
    def province(self) -> Jurisdiction | None:
        return self.chain[1] if len(self.chain) > 1 else None

    @property
    def exam_area(self) -> Jurisdiction:
        """The most specific jurisdiction that is an exam area of its own."""
        for jurisdiction in reversed(self.chain):
            if jurisdiction.exam_area:
                return jurisdiction
        return self.chain[-1]

    @property
    def doubtful_urls(self) -> frozenset[str]:
        """The URLs that only sources of low reliability give on this chain: marked wherever
        they are shown (never printed as if official)."""
        urls: frozenset[str] = self._once("doubtful_urls", self._doubtful_urls)
        return urls

    def _doubtful_urls(self) -> frozenset[str]:
        given = [(p.url, p.reliability) for j in self.chain for p in j.platforms if p.url]
        confirmed = {url for url, reliability in given if reliability is not Reliability.LOW}
        return frozenset(
            url
            for url, reliability in given
            if reliability is Reliability.LOW and url not in confirmed
        )

    @property
    def collection_review(self) -> ReviewTime | None:
        """How long a record's review takes here: the most specific jurisdiction's figure."""
        review: ReviewTime | None = self._once("collection_review", self._collection_review)
        return review

    def _collection_review(self) -> ReviewTime | None:
        for jurisdiction in reversed(self.chain):
            if jurisdiction.collection_review is not None:
                return jurisdiction.collection_review
        return None

    def within(self, code: str) -> bool:
        """Whether ``code`` (a jurisdiction code) is on this region's chain."""
        return any(j.code == code for j in self.chain)

    def platform(self, role: Role, on: dt.date) -> Platform | None:
        """The platform for ``role`` on ``on``: the most specific jurisdiction's that has one."""
        key = (role, on)
        try:
            return self._platforms[key]
        except KeyError:
            pass
        found = None
        for jurisdiction in reversed(self.chain):
            found = next(
                (p for p in jurisdiction.platforms if role in p.roles and p.effective_on(on)),
                None,
            )
            if found is not None:
                break
        if len(self._platforms) >= 64:  # a service asks about any day
            self._platforms.clear()
        self._platforms[key] = found
        return found


@attrs.frozen
class ScheduleView:
    """The schedule of one exam for one region: events merged along the chain (a more
    specific region's event group replaces a broader one's, by event id)."""

    level: ExamLevel
    year: int  # the exam year asked for
    data_year: int | None  # the year the dates come from (== year when known)
    events: tuple[Event, ...] = ()
    collection_required: Fact | None = None
    notes: tuple[str, ...] = ()
    requirements: tuple[Requirement, ...] = ()  # merged along the chain, by id
    projected_from: tuple[int, ...] = ()  # the published years a projection rests on
    # Derived once, when the view is made (a view is shared by a region's candidates).
    _groups: dict[str, tuple[Event, ...]] = attrs.field(init=False, eq=False, repr=False)
    _registration: tuple[Event, ...] = attrs.field(init=False, eq=False, repr=False)
    _before_record_deadline: dict[int, WorkdayAnswer | None] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )

    @_groups.default
    def _group_events(self) -> dict[str, tuple[Event, ...]]:
        groups: dict[str, list[Event]] = {}
        for event in self.events:
            groups.setdefault(event.id, []).append(event)
        return {k: tuple(v) for k, v in groups.items()}

    @_registration.default
    def _registration_phases(self) -> tuple[Event, ...]:
        phases = self._groups.get("registration", ())
        return tuple(sorted(phases, key=lambda e: e.opens or e.closes or _MAX))

    @property
    def known(self) -> bool:
        return self.data_year == self.year

    @property
    def basis(self) -> str | None:
        """A projection's basis in Chinese (``按 2024–2026 年的日期推算``), None when known."""
        if not self.projected_from:
            return None
        years = self.projected_from
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
        return f"{self.year} 年安排尚未公布，日期按 {span} 年推算（预计），取各年最早的"

    def group(self, event_id: str) -> tuple[Event, ...]:
        return self._groups.get(event_id, ())

    def first(self, event_id: str) -> Event | None:
        group = self._groups.get(event_id)
        return group[0] if group else None

    @property
    def registration(self) -> tuple[Event, ...]:
        """The registration phases, in order."""
        return self._registration

    @property
    def record_deadline(self) -> dt.datetime | None:
        """When the record must be in order: the collection cutoff, else the registration
        close; None for a year not published (no deadline is guessed from a projection)."""
        if not self.known:
            return None
        cutoff = self.first("collection")
        if cutoff is not None and cutoff.closes is not None:
            return cutoff.closes
        return self.registration_closes

    def before_record_deadline(self, workdays: int) -> WorkdayAnswer | None:
        """The latest moment to start something that takes ``workdays`` working days and
        must be done by :attr:`record_deadline` (a review), None without a deadline. Worked
        out once per view and count: every candidate of the region asks."""
        try:
            return self._before_record_deadline[workdays]
        except KeyError:
            pass
        deadline = self.record_deadline
        answer = None if deadline is None else workdays_before(deadline, workdays)
        if len(self._before_record_deadline) < 64:
            self._before_record_deadline[workdays] = answer
        return answer

    @property
    def registration_opens(self) -> dt.datetime | None:
        phases = self.registration
        return phases[0].opens if phases else None

    @property
    def registration_closes(self) -> dt.datetime | None:
        phases = self.registration
        return phases[-1].closes if phases else None


_MAX = dt.datetime.max.replace(tzinfo=dt.UTC)


@attrs.frozen
class Context:
    """Everything a check or plan hook needs. Built once per candidate and exam."""

    candidate: Candidate
    level: ExamLevel
    year: int
    at: dt.datetime  # the evaluation time, Asia/Shanghai
    region: Region
    schedule: ScheduleView
    base_dir: Path | None = None  # where relative photo paths are read from
    record_region: Region | None = None  # where the record is held, when given and known
    photo: PhotoInfo | None = None  # the photo file, read once by the core

    def platform(self, role: Role, on: dt.date | None = None) -> Platform | None:
        """The platform for ``role`` in the candidate's region on ``on`` (default: ``at``)."""
        return self.region.platform(role, on or self.at.date())

    @property
    def registration_platform(self) -> Platform | None:
        """Where this exam is registered: the registration platform on its opening day."""
        opens = self.schedule.registration_opens
        return self.platform(Role.REGISTRATION, opens.date() if opens else None)

    @property
    def birth_date(self) -> dt.date | None:
        """The birth date given, else the one a valid-looking resident ID carries."""
        if self.candidate.birth_date is not None:
            return self.candidate.birth_date
        return resident_id_birth_date(self.candidate)

    @property
    def gender(self) -> Gender | None:
        if self.candidate.gender is not None:
            return self.candidate.gender
        return resident_id_gender(self.candidate)


def resident_id_birth_date(candidate: Candidate) -> dt.date | None:
    number = candidate.id_number.strip().upper()
    if candidate.id_type is not IdType.RESIDENT_ID or len(number) != 18 or not number.isascii():
        return None
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def resident_id_gender(candidate: Candidate) -> Gender | None:
    number = candidate.id_number.strip()
    if candidate.id_type is not IdType.RESIDENT_ID or len(number) != 18:
        return None
    digit = number[16]
    if not (digit.isascii() and digit.isdigit()):
        return None
    return Gender.MALE if int(digit) % 2 else Gender.FEMALE


@attrs.frozen
class Move:
    """A move of the accountant record from one region to another, for transfer plans."""

    origin: Region
    destination: Region

    @property
    def cross_province(self) -> bool:
        return _province_code(self.origin) != _province_code(self.destination)


def _province_code(region: Region) -> str | None:
    province = region.province
    return province.code if province else None
