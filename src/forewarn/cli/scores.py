"""`forewarn scores [--bins N] [--json]`: the leaderboard of the resolved questions (time-averaged Brier and log
scores, coverage), calibration (Murphy decomposition) and discrimination, and the aggregation report (issue 17;
docs/warnings.md, "Scores"). What it shows follows the asker's role (forewarn.reads.scores)."""

from __future__ import annotations

import typer
from rich.markup import escape

from forewarn.cli.context import run
from forewarn.cli.render import out, print_json
from forewarn.model.scoring import AggregationReport
from forewarn.reads.scores import MAX_BINS, Row, ScoreBoard, board_json


def scores(ctx: typer.Context, bins: int = typer.Option(10, "--bins", min=1, max=MAX_BINS,
                                                        help="Equal-width bins of the reliability table."),
           as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Scores of the resolved questions: analysts, the published line, the model and the team aggregates."""
    b = run(ctx, lambda ws: ws.reads.scores(ws.clock(), bins))
    print_json(board_json(b)) if as_json else show(b)


def show(b: ScoreBoard) -> None:
    out.print(f"{b.questions} resolved question(s) scored ({b.annulled} annulled, not scored); lower is better.")
    out.print(f"{'forecaster':<20} {'Brier':>7} {'log':>7} {'cover':>6} {'n':>4}  {'REL':>7} {'RES':>7} {'AUC':>6}")
    for r in ((*b.rows, b.pooled) if b.pooled else b.rows):
        out.print(line(r), highlight=False)
    if b.withheld:
        out.print(f"{b.withheld} analyst(s) not shown to your role.")
    reports = [r for r in (b.aggregation, b.aggregation_log) if r]
    for report in reports:
        out.print(aggregation(report))
    if not reports:
        out.print("Aggregation: needs 2 resolved questions with estimates.")


def line(r: Row) -> str:
    c, d = r.calibration, r.discrimination
    cal = f"{c.reliability:>7.4f} {c.resolution:>7.4f}" if c else f"{'—':>7} {'—':>7}"
    auc = f"{d.auc:>6.3f}" if d and d.auc is not None else f"{'—':>6}"
    name = escape(r.label + (" (you)" if r.own else ""))
    return (f"{name:<20} {r.score.brier:>7.4f} {r.score.log:>7.4f} {r.score.coverage:>6.2f} "
            f"{r.score.questions:>4}  {cal} {auc}")


def aggregation(a: AggregationReport) -> str:
    return (f"Aggregation ({a.loss}, {a.questions} questions): mean {a.mean:.4f}, median {a.median:.4f}, "
            f"mean log-odds {a.log_odds_mean:.4f}, extremized leave-one-out {a.extremized_loo:.4f} "
            f"(a = {a.factor:.2f}; leave-one-out {a.loo_factors[0]:.2f}–{a.loo_factors[1]:.2f})")
