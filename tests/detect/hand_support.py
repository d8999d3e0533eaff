"""Worlds built by hand (no spaCy) for the tests of who may see what: an account acting, teams straight in the
store, a source folder of one text file ingested, and the pieces of a hand-coded extraction (a participant, a
place mention, a MOBILIZE or ASSAULT event). Shared by the world-building support modules of tests/web, tests/warn
and tests/reads (add this folder to ``sys.path`` to import it, as with detect_store_helpers)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from forewarn.app import Workspace
from forewarn.model import Marking, Principal, PrincipalKind, Reliability, Role, Source, SourceKind
from forewarn.model.extraction import (
    Entity,
    EntityMention,
    Event,
    Evidence,
    Flags,
    Participant,
    Place,
    PlaceMention,
    TimePrecision,
)
from forewarn.store import schema as t

SETUP_AT = datetime(2024, 8, 1, tzinfo=UTC)


def acting(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    """``ws`` acting and reading for the user account ``name``."""
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def add_teams(ws: Workspace, teams: Mapping[str, Sequence[str]], *, name: Callable[[str], str] = "Team {}".format,
              by: str = "setup", at: datetime = SETUP_AT) -> None:
    """The teams and their members, rows straight in the store (a team already there is kept)."""
    with ws.store.engine.begin() as conn:
        for team, members in teams.items():
            if conn.execute(select(t.teams.c.id).where(t.teams.c.id == team)).first() is None:
                conn.execute(t.teams.insert().values(id=team, name=name(team), created_by=by, created_at=at))
            for m in members:
                conn.execute(t.team_members.insert().values(team_id=team, account=m, added_by=by, added_at=at))


def file_source(ws: Workspace, inbox: Path, file: str, *, title: str, day: date, text: str, source_id: str,
                source_name: str, marking: Marking, team: str | None = None, recipients: tuple[str, ...] = (),
                reliability: Reliability = Reliability.B) -> None:
    """A source reading folder ``inbox``, holding one text file (its title, date and text), ingested."""
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / file).write_text(f"Title: {title}\nDate: {day.isoformat()}\n\n{text}\n")
    ws.store.add_source(Source(id=source_id, kind=SourceKind.AUTO, name=source_name, location=str(inbox),
                               reliability=reliability, marking=marking, team=team, recipients=recipients,
                               created_at=SETUP_AT))
    ws.intake.ingest([source_id])


def span(text: str, words: str, at: int | None = None) -> tuple[int, int]:
    """Where ``words`` stand in ``text`` (their first place, or from ``at``)."""
    start = text.index(words) if at is None else at
    return start, start + len(words)


def participant(entity: Entity, text: str, words: str, at: int | None = None) -> Participant:
    return Participant(entity, words, *span(text, words, at))


def mention(entity: Entity, text: str, words: str, at: int | None = None) -> EntityMention:
    return EntityMention(entity, words, *span(text, words, at), 0)


def place_mention(place: Place, text: str, words: str | None = None) -> PlaceMention:
    """``place`` where its name (or ``words``) first stands in ``text``."""
    words = place.name if words is None else words
    return PlaceMention(place, words, *span(text, words), 0)


def mobilize(text: str, actor: Participant, place: PlaceMention, day: date) -> Event:
    """Troops mobilised by ``actor`` at ``place`` on ``day`` (the date of publication): the whole text is the
    evidence, its first six characters the trigger."""
    return Event(type="MOBILIZE", mode="troops", contexts=("military",), actor=actor, recipient=None, place=place,
                 date=day, date_precision=TimePrecision.DAY, date_from_publication=True, flags=Flags(),
                 evidence=Evidence(0, 0, len(text.rstrip()), 0, 6), confidence=0.8)


def assault(text: str, actor: Participant, recipient: Participant, place: PlaceMention, day: date,
            trigger: str) -> Event:
    """``actor`` attacked ``recipient`` at ``place`` on ``day`` (a date the text gives): the whole text is the
    evidence, ``trigger`` (its first place) the trigger."""
    return Event(type="ASSAULT", mode=None, contexts=(), actor=actor, recipient=recipient, place=place, date=day,
                 date_precision=TimePrecision.DAY, date_from_publication=False, flags=Flags(),
                 evidence=Evidence(0, 0, len(text), *span(text, trigger)), confidence=0.8)
