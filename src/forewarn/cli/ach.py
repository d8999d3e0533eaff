"""`forewarn ach new|list|show|history|hypothesis|evidence|rate|remove`: competing-hypotheses matrices (issue 17,
item 7; docs/warnings.md, "Competing hypotheses"). Hypotheses are H1, H2 …, evidence items E1, E2 …; every change
is a new version of the matrix (ledgered: ach-changed)."""

from __future__ import annotations

import typer
from rich.markup import escape

from forewarn.cli.context import run
from forewarn.cli.render import out, print_all, print_json
from forewarn.errors import AchInvalid
from forewarn.model.ach import Matrix, ranking, scores, sensitivity
from forewarn.warn.ach import change_json, matrix_json, row_json

JSON = typer.Option(False, "--json", help="Machine-readable output.")
ID = typer.Argument(..., help="The matrix's number.")
app = typer.Typer(help="Competing hypotheses: a matrix of hypotheses × evidence, rated C / I / N, weighted by "
                  "source grade.", no_args_is_help=True)


@app.command("new")
def new(ctx: typer.Context, title: str = typer.Argument(..., help="What the matrix weighs."),
        hypotheses: list[str] = typer.Option(..., "--hypothesis", "-H", help="A hypothesis (2 to 12; repeat)."),
        question: int = typer.Option(None, "--question", help="The question it belongs to.", show_default=False),
        owner: str = typer.Option(None, "--owner", help="Its owner (you by default).", show_default=False),
        as_json: bool = JSON) -> None:
    """Create a matrix with its first hypotheses (ledgered: ach-changed, version 1)."""
    m = run(ctx, lambda ws: ws.ach.create(title, hypotheses, question, owner))
    _done(m, as_json, f"Matrix {m.id} created with {len(m.hypotheses)} hypotheses")


@app.command("list")
def list_matrices(ctx: typer.Context, question: int = typer.Option(None, "--question", show_default=False),
                  as_json: bool = JSON) -> None:
    """List the matrices (of a question, or all), most recently changed first."""
    found = run(ctx, lambda ws: ws.ach.listing(question))
    if as_json:
        print_all([row_json(r) for r in found])
        return
    for r in found:
        of = f"question {r.question_id}" if r.question_id else "—"
        out.print(f"{r.id:>4}  v{r.version:<4} {r.owner:<16} {of:<14} {escape(r.title)}", highlight=False)
    out.print(f"{len(found)} matri{'x' if len(found) == 1 else 'ces'}")


@app.command("show")
def show(ctx: typer.Context, matrix_id: int = ID,
         version: int = typer.Option(None, "--version", help="Show it as it was at this version.",
                                     show_default=False), as_json: bool = JSON) -> None:
    """Show a matrix: hypotheses, evidence with grades and ratings, scores, ranking and sensitivity."""
    m = run(ctx, lambda ws: ws.ach.get(matrix_id, version))
    print_json(matrix_json(m)) if as_json else show_matrix(m)


@app.command("history")
def history(ctx: typer.Context, matrix_id: int = ID, as_json: bool = JSON) -> None:
    """Every version of a matrix: what changed, by whom, when."""
    found = run(ctx, lambda ws: ws.ach.history(matrix_id))
    if as_json:
        print_all([change_json(c) for c in found])
        return
    for c in found:
        out.print(f"v{c.version:<4} {c.at:%Y-%m-%d %H:%M} {c.actor:<16} {c.op:<18} {escape(_brief(c.payload))}",
                  highlight=False)


@app.command("hypothesis")
def hypothesis(ctx: typer.Context, matrix_id: int = ID, text: str = typer.Argument(..., help="The hypothesis."),
               as_json: bool = JSON) -> None:
    """Add a hypothesis (at most 12)."""
    m = run(ctx, lambda ws: ws.ach.add_hypothesis(matrix_id, text))
    _done(m, as_json, f"{m.hypotheses[-1].label} added to matrix {m.id}")


@app.command("evidence")
def evidence(ctx: typer.Context, matrix_id: int = ID,
             ref: str = typer.Argument("", help="document:ID, event:ID, claim:DOCUMENT:SEQ or note:ID."),
             text: str = typer.Option("", "--text", help="A free-text item instead of an id."),
             grade: str = typer.Option("", "--grade", help="Admiralty grade of a free-text item (e.g. B2); for "
                                       "an item by id, the credibility digit (1-6) only."),
             as_json: bool = JSON) -> None:
    """Add an evidence item: a stored document, event, claim or note by id, or free text with a grade."""
    m = run(ctx, lambda ws: ws.ach.add_evidence(matrix_id, ref, text, grade))
    e = m.evidence[-1]
    _done(m, as_json, f"{e.label} added to matrix {m.id} (grade {e.grade or 'none'}, weight {e.weight:.2f})")


@app.command("rate")
def rate(ctx: typer.Context, matrix_id: int = ID, item: str = typer.Argument(..., help="E1, E2 …"),
         hyp: str = typer.Argument(..., help="H1, H2 …"),
         rating: str = typer.Argument(..., help="CC, C, N, I, II; - clears."), as_json: bool = JSON) -> None:
    """Rate a cell: how consistent the item is with the hypothesis."""
    m = run(ctx, lambda ws: ws.ach.rate(matrix_id, number(item, "E"), number(hyp, "H"), rating))
    _done(m, as_json, f"Matrix {m.id} is at version {m.version}")


@app.command("remove")
def remove(ctx: typer.Context, matrix_id: int = ID, what: str = typer.Argument(..., help="E3 or H2."),
           as_json: bool = JSON) -> None:
    """Remove an evidence item or a hypothesis (with its ratings; a new version, the old ones kept)."""
    if what.strip().upper().startswith("H"):
        m = run(ctx, lambda ws: ws.ach.remove_hypothesis(matrix_id, number(what, "H")))
    else:
        m = run(ctx, lambda ws: ws.ach.remove_evidence(matrix_id, number(what, "E")))
    _done(m, as_json, f"{what.strip().upper()} removed; matrix {m.id} is at version {m.version}")


def number(text: str, letter: str) -> int:
    """``E3`` / ``3`` → 3; AchInvalid otherwise."""
    raw = text.strip().upper().removeprefix(letter)
    if not raw.isdigit() or len(raw) > 6:
        raise AchInvalid(f"{text.strip()!r} is not {'an item' if letter == 'E' else 'a hypothesis'} ({letter}1, "
                         f"{letter}2 …)", hint="`forewarn ach show ID` lists them")
    return int(raw)


def show_matrix(m: Matrix) -> None:
    found = scores(m)
    out.print(f"Matrix {m.id}: {escape(m.title)} (owner {m.owner}, version {m.version})", highlight=False)
    for h in m.hypotheses:
        out.print(f"  {h.label:<4} {found[h.id]:6.2f}  {escape(h.text)}", highlight=False)
    for e in m.evidence:
        cells = " ".join(f"{(r.value if (r := m.rating(e.id, h.id)) else '·'):<2}" for h in m.hypotheses)
        out.print(f"  {e.label:<4} [{e.grade or '--':<2} {e.weight:.2f}] {cells}  {escape(e.text[:80])}",
                  highlight=False)
    order = " > ".join("=".join(f"H{i}" for i in group) for group in ranking(found))
    out.print(f"Ranking (least inconsistent first): {order}")
    hinges = sensitivity(m)
    out.print("Hinges on: " + (", ".join(s.evidence.label for s in hinges) if hinges else
                               "the ranking does not hinge on any single item"))


def _done(m: Matrix, as_json: bool, text: str) -> None:
    print_json(matrix_json(m)) if as_json else out.print(text, highlight=False)


def _brief(payload: object) -> str:
    text = str(payload)
    return text if len(text) <= 100 else text[:99] + "…"
