"""The one rule of who may see what (model.marking): each marking's meaning inside a workspace, raising,
the strictest of several, and the access a store resolves for a principal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forewarn.errors import InvalidArgument
from forewarn.model import Marking
from forewarn.model.marking import Compartment, strictest, visible_to
from forewarn.model.principal import Principal, PrincipalKind, Role
from forewarn.store import open_store
from forewarn.store import schema as t

NORTH, SOUTH = frozenset({"north"}), frozenset({"south"})


def test_open_markings_are_for_every_account() -> None:
    for m in (Marking.CLEAR, Marking.GREEN):
        c = Compartment.of(m, ["north"])
        assert visible_to(c, "anyone", frozenset()) and not c.restricted and not c.open  # owned, still seen


def test_amber_is_for_the_team_and_those_it_is_shared_with() -> None:
    c = Compartment.of(Marking.AMBER, ["north"], ["ana", "south"])
    assert visible_to(c, "bo", NORTH)
    assert visible_to(c, "Ana", frozenset())  # a named account, case-insensitive
    assert visible_to(c, "cy", SOUTH)  # a named team
    assert not visible_to(c, "cy", frozenset({"east"}))


def test_amber_strict_is_for_the_team_only_and_names_no_one() -> None:
    c = Compartment.of(Marking.AMBER_STRICT, ["north"])
    assert visible_to(c, "bo", NORTH) and not visible_to(c, "bo", SOUTH)
    with pytest.raises(InvalidArgument, match="names no recipients"):
        Compartment.of(Marking.AMBER_STRICT, ["north"], ["ana"])


def test_red_is_for_named_accounts_of_its_team_only() -> None:
    c = Compartment.of(Marking.RED, ["north"], ["ana"])
    assert visible_to(c, "ana", NORTH) and not visible_to(c, "bo", NORTH)
    assert not visible_to(c, "ana", frozenset())  # named, but not of the owning team
    assert visible_to(Compartment.of(Marking.RED, [], ["ana"]), "ana", frozenset())
    with pytest.raises(InvalidArgument, match="named recipients"):
        Compartment.of(Marking.RED, ["north"])


def test_restricted_with_no_team_is_for_the_whole_workspace() -> None:
    assert visible_to(Compartment.of(Marking.AMBER_STRICT), "anyone", frozenset())


def test_owned_by_two_teams_needs_both() -> None:
    c = strictest([Compartment.of(Marking.AMBER, ["north"]), Compartment.of(Marking.AMBER_STRICT, ["south"])])
    assert c == Compartment(Marking.AMBER_STRICT, ("north", "south"), ())
    assert not visible_to(c, "x", NORTH) and visible_to(c, "x", NORTH | SOUTH)


def test_raising_never_lowers() -> None:
    amber = Compartment.of(Marking.AMBER, ["north"], ["ana", "bo"])
    assert amber.raised_to(Compartment.of(Marking.RED, ["north"], ["ana"]))
    assert amber.raised_to(Compartment.of(Marking.AMBER, ["north"], ["ana"]))
    assert not amber.raised_to(Compartment.of(Marking.AMBER, ["north"], ["ana", "cy"]))  # shared wider
    assert not amber.raised_to(Compartment.of(Marking.GREEN, ["north"]))
    assert not amber.raised_to(Compartment.of(Marking.RED, [], ["ana"]))  # the owning team dropped


compartments = st.builds(
    lambda m, teams, names: Compartment.of(m, teams, [] if m is Marking.AMBER_STRICT else names or ["ana"]),
    st.sampled_from(list(Marking)), st.lists(st.sampled_from(["north", "south", "east"]), max_size=2),
    st.lists(st.sampled_from(["ana", "bo", "south"]), max_size=2))
askers = st.tuples(st.sampled_from(["ana", "bo", "cy"]),
                   st.frozensets(st.sampled_from(["north", "south", "east"]), max_size=3))


@settings(max_examples=300, deadline=None)
@given(st.lists(compartments, min_size=1, max_size=4), askers)
def test_what_derives_is_seen_only_by_who_sees_all_it_derives_from(cs: list[Compartment],
                                                                    asker: tuple[str, frozenset[str]]) -> None:
    derived = strictest(cs)
    if visible_to(derived, *asker):
        assert all(visible_to(c, *asker) for c in cs)
    assert all(c.raised_to(derived) or c.marking is Marking.AMBER for c in cs if c.restricted)  # AMBER: shares


def test_the_store_resolves_what_is_hidden_from_each_principal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    with store.transaction() as conn:
        strict = store.compartment_id(conn, Compartment.of(Marking.AMBER_STRICT, ["north"]))
        red = store.compartment_id(conn, Compartment.of(Marking.RED, [], ["ana"]))
        assert store.compartment_id(conn, Compartment.of(Marking.CLEAR)) is None
        assert store.compartment_id(conn, Compartment.of(Marking.RED, [], ["ana"])) == red  # written once
        conn.execute(t.team_members.insert().values(team_id="north", account="bo", added_by="t",
                                                    added_at=datetime(2026, 1, 1, tzinfo=UTC)))
    bo = store.access(Principal("bo", Role.VIEWER, PrincipalKind.USER))
    ana = store.access(Principal("ana", Role.ADMIN, PrincipalKind.USER))
    assert bo.teams == NORTH and bo.hidden == {red} and bo.sees(strict) and bo.sees(None)
    assert ana.hidden == {strict} and not ana.sees(strict)  # an admin is not exempt
    assert not store.access(Principal.system("forewarn")).restricted
