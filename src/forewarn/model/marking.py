"""Compartments: who may see an object, from its TLP 2.0 marking, its owning team(s) and named recipients.

Every stored object that can be hidden (source, document, event, claim, note, scenario with its
assessments and warnings, question with its judgments) points at one compartment: a (marking, teams,
recipients) triple kept once in the ``compartments`` table. What a principal may see is decided here, by
:func:`visible_to`, and nowhere else; the store turns it into one SQL condition per table (the ids of the
compartments the principal may not see), built once per request.

Inside one workspace (one organisation) the markings mean:

- ``TLP:CLEAR``, ``TLP:GREEN``: every account. (They differ only when an object leaves the workspace:
  CLEAR may go anywhere, GREEN to the community an exchange names.)
- ``TLP:AMBER``: the members of the owning team(s), and the accounts and teams named as recipients
  (shared with, on need-to-know).
- ``TLP:AMBER+STRICT``: the members of the owning team(s) only; it names no recipients.
- ``TLP:RED``: the named recipient accounts only (individuals, not teams), who must also be members of its
  owning team(s) if it has any.

An object owned by several teams (derived from holdings of more than one) is for the members of every one of
them. A restricted object with no owning team is for the whole workspace (AMBER, AMBER+STRICT), or its
recipients (RED); a RED object whose recipients are none (derived from two with no recipient in common) is for
no one. forewarn itself (the system principal: cycles, scoring) sees everything; an administrator
does not, by role: need-to-know binds admins too (they administer teams, which is ledgered).

Markings are raised, never lowered, and a derived object takes the strictest of what it derives from
(:func:`strictest`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from forewarn.errors import InvalidArgument
from forewarn.model.source import Marking

RANK = {m: i for i, m in enumerate(Marking)}  # CLEAR 0 < GREEN 1 < AMBER 2 < AMBER+STRICT 3 < RED 4
OPEN = frozenset({Marking.CLEAR, Marking.GREEN})


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({v.strip().lower() for v in values if v and v.strip()}))


@dataclass(frozen=True, slots=True)
class Compartment:
    """A marking, the owning teams (all of them must be held) and the named recipients."""

    marking: Marking = Marking.CLEAR
    teams: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()

    @classmethod
    def of(cls, marking: Marking | str, teams: Iterable[str] = (), recipients: Iterable[str] = ()) -> Compartment:
        """A checked compartment: names normalised (lower case, sorted, unique)."""
        m = marking if isinstance(marking, Marking) else Marking.parse(marking)
        c = cls(m, _names(teams), _names(recipients))
        c.check()
        return c

    def check(self) -> None:
        if self.marking is Marking.RED and not self.recipients:
            raise InvalidArgument("a TLP:RED object needs named recipients",
                                  hint="name the accounts that may see it (--recipients ana,ben)")
        if self.marking is Marking.AMBER_STRICT and self.recipients:
            raise InvalidArgument("TLP:AMBER+STRICT stays inside the owning team: it names no recipients",
                                  hint="use TLP:AMBER to share with named accounts or teams, or TLP:RED")

    @property
    def restricted(self) -> bool:
        return self.marking not in OPEN

    @property
    def open(self) -> bool:
        """Seen by every account: nothing to store a compartment for."""
        return not self.restricted and not self.teams and not self.recipients

    @property
    def key(self) -> str:
        """The one text of this compartment (unique in the ``compartments`` table)."""
        return f"{self.marking.value}|{','.join(self.teams)}|{','.join(self.recipients)}"

    @property
    def label(self) -> str:
        """How a page shows it: "TLP:AMBER · team border-watch · for ana, ben"."""
        parts = [self.marking.value]
        if self.teams:
            parts.append(("teams " if len(self.teams) > 1 else "team ") + " + ".join(self.teams))
        if self.recipients:
            parts.append("for " + ", ".join(self.recipients))
        return " · ".join(parts)

    def raised_to(self, other: Compartment) -> bool:
        """Whether ``other`` is at least as strict as this one (a raise, never a lowering): no weaker marking,
        every owning team kept, and at the same marking no recipient added."""
        if RANK[other.marking] < RANK[self.marking] or not set(self.teams) <= set(other.teams):
            return False
        return other.marking is not self.marking or set(other.recipients) <= set(self.recipients)


def strictest(compartments: Iterable[Compartment]) -> Compartment:
    """The compartment of an object derived from these, seen only by those who see every one of them: the
    strictest marking; every team that restricts one of them; and, for AMBER, the recipients every restricted
    one shares with, for RED those every RED one names (none in common: for no one)."""
    cs = list(compartments)
    restricted = [c for c in cs if c.restricted]
    if not restricted:
        return Compartment(Marking.GREEN if any(c.marking is Marking.GREEN for c in cs) else Marking.CLEAR,
                           _names(t for c in cs for t in c.teams))
    marking = max((c.marking for c in restricted), key=RANK.__getitem__)
    binding = {Marking.AMBER: restricted, Marking.RED: [c for c in restricted if c.marking is Marking.RED]}
    named = [set(c.recipients) for c in binding.get(marking, [])]
    recipients = tuple(sorted(set.intersection(*named))) if named else ()
    return Compartment(marking, _names(t for c in restricted for t in c.teams), recipients)


def visible_to(c: Compartment, name: str, teams: frozenset[str]) -> bool:
    """Whether the account ``name``, member of ``teams``, may see an object of compartment ``c``."""
    who = name.strip().lower()
    if c.marking in OPEN:
        return True
    members = set(c.teams) <= teams
    if c.marking is Marking.RED:
        return who in c.recipients and members
    if c.marking is Marking.AMBER and (who in c.recipients or teams & set(c.recipients)):
        return True
    return members


@dataclass(frozen=True, slots=True)
class Access:
    """What one principal may see, resolved once per request: ``hidden`` holds the ids of the compartments
    it may not see (empty for the system, and wherever nothing is restricted from it)."""

    name: str
    teams: frozenset[str] = frozenset()
    hidden: frozenset[int] = frozenset()
    everything: bool = False

    def sees(self, compartment_id: int | None) -> bool:
        return compartment_id is None or compartment_id not in self.hidden

    @property
    def restricted(self) -> bool:
        """Whether anything is hidden from this principal (when not, reads add no condition at all)."""
        return bool(self.hidden)


EVERYTHING = Access("system", everything=True)
