"""The authorization matrix's CLI side (issue 18): the CLI acts as the configured actor, and sees what that account's
teams open. Each principal (a north analyst, a south analyst, the RED recipient, an account named on north's shared
AMBER source, a viewer in no team) runs every read and export — JSON, tables, the PLOVER export to standard output
and to a file — with the filters that select a holding; no output holds a canary of a holding the actor may not see
(compartment_support), a hidden object's show command fails exactly as a missing id's does, and every holding the
actor may see is found somewhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from compartment_support import HOLDINGS, TAG, Built, Holding, build, canaries_of, reveals, visible
from web_support import cheap_password_hashes

from forewarn.app import Workspace
from forewarn.cli.main import app as cli_app
from forewarn.config import Settings

ACTORS = ("nora", "sam", "rita", "xavier", "viewer")
EVENT_DATE = "2024-08-14"
MISSING = "0" * 32


@dataclass(frozen=True, repr=False)
class Cli:
    built: Built
    db_url: str
    tmp: Path


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    tmp = tmp_path_factory.mktemp("compartments-cli")
    url = f"sqlite:///{tmp / 'ws.db'}"
    ws = Workspace.open(Settings(database_url=url, actor="tester", extract=False))
    try:
        with cheap_password_hashes():  # the accounts' passwords: no command here checks one
            built = build(ws, tmp)
        yield Cli(built, url, tmp)
    finally:
        ws.close()


def reads(c: Cli) -> list[list[str]]:
    """The reads and exports, with the filters that select each holding."""
    scenario = c.built.world.scenario_id
    out = [["events", "--json", "--limit", "100000"], ["events", "--limit", "100000"], ["export"],
           ["docs", "list", "--json", "--limit", "10000"], ["docs", "list", "--limit", "10000"],
           ["entities", "list", "--json", "--all", "--limit", "100000"], ["entities", "list", "--all"],
           ["stats", "--json"], ["stats"], ["runs", "list", "--json", "--limit", "100"], ["source", "list", "--json"],
           ["source", "list"], ["ledger", "show", "--json", "--limit", "5000"], ["ledger", "show", "--limit", "5000"],
           ["scenario", "show", scenario], ["scenario", "test", scenario, "--json", "--limit", "100"],
           ["assess", "--json"], ["warnings", "--all", "--json"], ["feed", "--json", "--limit", "500"], ["feed"],
           ["postmortem", scenario, "--event-date", EVENT_DATE, "--json"], ["surges", "--json"],
           ["tag", "list", "document", TAG, "--json"], ["question", "list", "--json"], ["team", "list", "--json"],
           ["scenario", "list", "--json"], ["scenario", "list"], ["warnings", "--all"], ["handover", "list"],
           ["handover", "show"], ["deconflict", "list"], ["deconflict", "list", "--json"],
           ["replay", "--scenario", scenario, "--from", "2024-08-05", "--to", "2024-08-12", "--json"]]
    for h in HOLDINGS:
        out += [["docs", "list", "--search", h.token, "--json"], ["events", "--source", h.source_id, "--json"],
                ["events", "--actor", h.entity_id, "--json"], ["export", "--place", h.place],
                ["entities", "list", "--search", h.person, "--json", "--all"]]
    return out


def shows(c: Cli, h: Holding, ids: tuple[str, str, str] | None = None) -> list[list[str]]:
    """The commands that read one object of ``h`` (or, with ``ids``, of these document, event, entity ids)."""
    doc, event, entity = ids or (c.built.held.documents[h.key], c.built.held.events[h.key][0], h.entity_id)
    return [["docs", "show", doc, "--json"], ["docs", "show", doc], ["entities", "show", entity, "--json"],
            ["event", "corrections", event, "--json"]]


@dataclass
class Ran:
    leaks: list[tuple[str, str, str, str]]
    seen: set[tuple[str, str]]
    outputs: dict[str, tuple[int, str]]


def run_as(c: Cli, actor: str) -> Ran:
    runner, out = CliRunner(), Ran([], set(), {})
    hidden = {h.key: canaries_of(h, c.built.held) for h in HOLDINGS if not visible(h, actor)}
    shown = {h.key: canaries_of(h, c.built.held) for h in HOLDINGS if visible(h, actor)}
    commands = reads(c) + [a for h in HOLDINGS for a in (*shows(c, h), *shows(c, h, (MISSING, MISSING, MISSING)))]
    for args in commands:
        result = runner.invoke(cli_app, ["--db", c.db_url, "--actor", actor, *args], env={"COLUMNS": "500"})
        note(out, " ".join(args), result.exit_code, result.output, hidden, shown)
    path = c.tmp / f"{actor}-export.jsonl"
    result = runner.invoke(cli_app, ["--db", c.db_url, "--actor", actor, "export", "--out", str(path)])
    assert result.exit_code == 0, result.output
    note(out, "export --out FILE", 0, path.read_text(encoding="utf-8"), hidden, shown)
    return out


def note(out: Ran, what: str, code: int, text: str, hidden: dict[str, dict[str, tuple[str, ...]]],
         shown: dict[str, dict[str, tuple[str, ...]]]) -> None:
    out.outputs[what] = (code, text)
    out.leaks += [(what, key, kind, s) for key, found in hidden.items() for kind, texts in found.items()
                  for s in texts if s and reveals(s, text) and s not in what]  # an id or search typed is echoed back
    out.seen |= {(key, kind) for key, found in shown.items() for kind, texts in found.items()
                 if any(s and reveals(s, text) for s in texts)}


@pytest.fixture(scope="module")
def ran(cli: Cli) -> dict[str, Ran]:
    out = {actor: run_as(cli, actor) for actor in ACTORS}
    print(f"\nCLI matrix: {max(len(r.outputs) for r in out.values())} commands × {len(ACTORS)} actors = "
          f"{sum(len(r.outputs) for r in out.values())} outputs checked, {sum(len(r.leaks) for r in out.values())} "
          "leaks")
    return out


@pytest.mark.parametrize("actor", ACTORS)
def test_no_cli_output_holds_what_the_actor_may_not_see(ran: dict[str, Ran], actor: str) -> None:
    leaks = ran[actor].leaks
    where: dict[tuple[str, str], set[str]] = {}
    for what, key, kind, _ in leaks:
        where.setdefault((what, key), set()).add(kind)
    assert leaks == [], f"{len(leaks)} leaks to {actor}:\n" + "\n".join(
        f"{w} [{k}]: {', '.join(sorted(v))}" for (w, k), v in sorted(where.items()))


@pytest.mark.parametrize("actor", ACTORS)
def test_the_cli_shows_what_the_actor_may_see(ran: dict[str, Ran], actor: str) -> None:
    wanted = {(h.key, kind) for h in HOLDINGS if visible(h, actor)
              for kind in ("title", "text", "person", "place", "coordinates", "source", "ids")}
    assert wanted - ran[actor].seen == set()


@pytest.mark.parametrize("actor", ACTORS)
def test_a_hidden_object_fails_as_a_missing_one(cli: Cli, ran: dict[str, Ran], actor: str) -> None:
    """The same exit status and the same words (the id swapped) as a wrong id: no oracle."""
    outputs, wrong = ran[actor].outputs, []
    for h in HOLDINGS:
        if visible(h, actor):
            continue
        ids = (cli.built.held.documents[h.key], cli.built.held.events[h.key][0], h.entity_id)
        for asked, missing in zip(shows(cli, h), shows(cli, h, (MISSING, MISSING, MISSING)), strict=True):
            (code, text), (gone, expected) = outputs[" ".join(asked)], outputs[" ".join(missing)]
            if code == 0 or code != gone or scrub(text, ids) != scrub(expected, (MISSING,)):
                wrong.append((" ".join(asked), code, text[-200:]))
    assert wrong == [], "hidden objects that read unlike a missing id:\n" + "\n".join(map(str, wrong))


def scrub(text: str, ids: tuple[str, ...]) -> str:
    for i in ids:
        text = text.replace(i, "ID")
    return text
