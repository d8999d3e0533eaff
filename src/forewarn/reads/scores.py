"""Scores of the judgments on resolved questions (issue 17, items 5 and 6): the leaderboard, calibration,
discrimination and the aggregation report, read from the store at once and scored by :mod:`forewarn.model.scoring`.

Only questions resolved yes or no (by ``now``, the workspace's time) are scored; annulled and open ones never
are, so no open question's estimate enters a score (the blind rule). A question's life runs from its creation to
its resolution; each forecast stands until the next (scoring.time_averaged). The forecasters:

- each **analyst**: their estimates;
- the **published line**: the lines published for the question;
- the **model**: a scenario question's probability from the scenario engine (the ``assessments`` table), the
  last assessment before the question opened standing from the opening;
- the **team** aggregates of the analysts: at each change point (every time an analyst's estimate changes) the
  mean, the median and the extremized mean log-odds of every analyst's current estimate. The extremizing factor
  of a question is fitted (bounded, scoring.EXTREMIZE_BOUNDS) on the *other* resolved questions (leave-one-out,
  on each analyst's last estimate before resolution), so no question is scored with a factor fitted on itself:
  it is the Brier aggregation report's own (``question_factors``), not fitted a second time.

Per forecaster: the mean time-averaged Brier and log scores, coverage and the questions scored; calibration
(reliability table, Murphy decomposition) and discrimination over every forecast that stood (each estimate
counted once) when there are at least MIN_FORECASTS of them. The aggregation report (mean, median, mean log-odds,
extremized leave-one-out) is scoring.aggregation_report on each analyst's last estimate before resolution.

A closed question takes no more estimates or lines, so the scores change only when a question is resolved or
annulled, or an assessment is written: each store keeps its last scoreboards (every row named) by that fingerprint
(:func:`fingerprint`, one query) and the bins, and applies each viewer's visibility to them.

Who sees what (:func:`visible`): a viewer sees the published line, the model and the team rows (and the analysts
pooled); an analyst or a duty officer also sees their own row by name and the other analysts as "analyst A", "analyst
B", … (lettered in order of score); an admin sees every name."""

from __future__ import annotations

import statistics
import string
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, and_, func, select

from forewarn.errors import InvalidArgument
from forewarn.model import Principal, Role
from forewarn.model import scoring as sc
from forewarn.model.judgment import QuestionState
from forewarn.model.marking import EVERYTHING, Access
from forewarn.store import schema as t
from forewarn.store.access import hidden_from

Q, E, L, A = t.questions.c, t.estimates.c, t.published_lines.c, t.assessments.c
RESOLVED = (QuestionState.RESOLVED_YES.value, QuestionState.RESOLVED_NO.value)
MIN_FORECASTS = 10  # forecasts a forecaster needs for its own calibration and discrimination
MAX_BINS = 50
Kind = Literal["analyst", "line", "model", "team"]
TEAM = ("mean", "median", "extremized")
CACHE_SIZE = 16  # scoreboards kept per store (by fingerprint and bins)


@dataclass(frozen=True, slots=True)
class Resolved:
    """One resolved question and every forecaster's timeline on it."""

    id: int
    life: sc.QuestionLife
    analysts: dict[str, list[sc.Estimate]] = field(default_factory=dict)
    line: list[sc.Estimate] = field(default_factory=list)
    model: list[sc.Estimate] = field(default_factory=list)

    def final(self) -> list[float]:
        """Each analyst's last estimate before the resolution."""
        return [last.probability for tl in self.analysts.values()
                if (last := _last(tl, self.life.resolved_at)) is not None]


@dataclass(frozen=True, slots=True)
class Row:
    """One forecaster on the leaderboard (``label``: what this viewer sees it called)."""

    kind: Kind
    label: str
    score: sc.ForecasterScore
    forecasts: int  # forecasts that stood during the questions' lives
    calibration: sc.Calibration | None  # None under MIN_FORECASTS
    discrimination: sc.Discrimination | None
    own: bool = False  # the viewer's own row


@dataclass(frozen=True, slots=True)
class ScoreBoard:
    """The scores as one viewer may see them."""

    at: datetime
    questions: int  # resolved questions scored
    annulled: int  # annulled questions (never scored)
    bins: int
    rows: tuple[Row, ...]  # best (lowest Brier) first
    pooled: Row | None  # every analyst's forecasts pooled
    aggregation: sc.AggregationReport | None  # Brier; None under 2 questions with analysts' estimates
    aggregation_log: sc.AggregationReport | None
    withheld: int  # analysts' rows this viewer may not see


_CACHE: WeakKeyDictionary[Engine, dict[tuple[Any, ...], ScoreBoard]] = WeakKeyDictionary()


def scoreboard(conn: Connection, who: Principal, now: datetime, bins: int = 10,
               access: Access = EVERYTHING) -> ScoreBoard:
    """The scores of every resolved question ``access`` may see, as ``who`` may see them: read at once (four
    queries) and scored, or taken from the cache while the store's resolved questions and assessments are as they
    were (:func:`fingerprint`). Questions hidden from the asker count nowhere, not even in the aggregates."""
    if not 1 <= bins <= MAX_BINS:
        raise InvalidArgument(f"bins: {bins} is not from 1 to {MAX_BINS}", hint="e.g. --bins 10")
    seen = hidden_from(Q.compartment, access)
    key = (fingerprint(conn, now, seen), bins, access.hidden)
    kept = _CACHE.setdefault(conn.engine, {})
    full = kept.get(key)
    if full is None:
        full = _score(conn, now, bins, key[0], seen)
        if len(kept) >= CACHE_SIZE:
            kept.clear()
        kept[key] = full
    shown, withheld = visible(full.rows, who)
    return replace(full, at=now, rows=tuple(shown), withheld=withheld)


def fingerprint(conn: Connection, now: datetime, seen: Sequence[Any] = ()) -> tuple[Any, ...]:
    """What the scores at ``now`` depend on and what changes when it does: per closed state the count, the
    highest number and the latest resolution by ``now`` (a closed question takes no more estimates or lines),
    and the newest assessment (a replay may write one into a past question's life)."""
    closed = conn.execute(select(Q.state, func.count(), func.max(Q.id), func.max(Q.resolved_at))
                          .where(Q.state != QuestionState.OPEN.value, Q.resolved_at <= now, *seen)
                          .group_by(Q.state).order_by(Q.state)).all()
    return (*(tuple(r) for r in closed), conn.execute(select(func.max(A.id))).scalar_one())


def _score(conn: Connection, now: datetime, bins: int, counted: tuple[Any, ...], seen: Sequence[Any]) -> ScoreBoard:
    """The scores of the questions ``seen`` keeps, with every analyst named (who sees which row: the caller)."""
    found = resolved(conn, now, seen)
    finals = [(q.final(), q.life.outcome) for q in found if q.final()]
    brier = _report(finals, "brier")
    rows = [*_analyst_rows(found, bins), *_rows("line", "published line", [(q.life, q.line) for q in found], bins),
            *_rows("model", "model", [(q.life, q.model) for q in found], bins),
            *_team_rows(found, bins, brier.question_factors if brier else ())]
    annulled = sum(r[1] for r in counted[:-1] if r[0] == QuestionState.ANNULLED.value)
    return ScoreBoard(now, len(found), annulled, bins, tuple(sorted(rows, key=_rank)), _pooled(found, bins),
                      brier, _report(finals, "log"), 0)


def resolved(conn: Connection, now: datetime, seen: Sequence[Any] = ()) -> list[Resolved]:
    """The questions resolved yes or no by ``now`` (of those ``seen`` keeps) with the analysts', the lines' and
    the model's timelines."""
    cond = and_(Q.state.in_(RESOLVED), Q.resolved_at <= now, Q.resolved_at > Q.created_at, *seen)
    found = {r.id: Resolved(r.id, sc.QuestionLife(r.created_at, r.resolved_at, int(r.state == RESOLVED[0])))
             for r in conn.execute(select(Q.id, Q.created_at, Q.resolved_at, Q.state).where(cond).order_by(Q.id))}
    joined = and_(cond, E.question_id == Q.id, E.at <= Q.resolved_at)
    for r in conn.execute(select(E.question_id, E.analyst, E.at, E.probability).where(joined).order_by(E.at, E.id)):
        found[r.question_id].analysts.setdefault(r.analyst, []).append(sc.Estimate(r.at, r.probability))
    lined = and_(cond, L.question_id == Q.id, L.at <= Q.resolved_at)
    for x in conn.execute(select(L.question_id, L.at, L.probability).where(lined).order_by(L.at, L.id)):
        found[x.question_id].line.append(sc.Estimate(x.at, x.probability))
    for m in conn.execute(_model_query(cond)):
        found[m.id].model.append(sc.Estimate(m.at, m.probability))
    return list(found.values())


def visible(rows: Sequence[Row], who: Principal) -> tuple[list[Row], int]:
    """The rows ``who`` may see, analysts named or lettered (in the rows' order), and how many were withheld."""
    if who.may(Role.ADMIN):
        return [replace(r, own=r.kind == "analyst" and r.label == who.name) for r in rows], 0
    analysts = [r for r in rows if r.kind == "analyst"]
    if not who.may(Role.ANALYST):
        return [r for r in rows if r.kind != "analyst"], len(analysts)
    others = {id(r): f"analyst {letter(i)}" for i, r in enumerate(r for r in analysts if r.label != who.name)}
    return [r if r.kind != "analyst" else replace(r, own=True) if r.label == who.name
            else replace(r, label=others[id(r)]) for r in rows], 0


def letter(i: int) -> str:
    """A, B, …, Z, then A2, B2, …: the anonymous name of the i-th other analyst."""
    return string.ascii_uppercase[i % 26] + (str(i // 26 + 1) if i >= 26 else "")


def team_timeline(q: Resolved, how: str, factor: float = 1.0) -> list[sc.Estimate]:
    """The team's aggregate of every analyst's current estimate at each change point (``how``: mean, median or
    extremized with ``factor``)."""
    current: dict[str, float] = {}
    points: dict[datetime, float] = {}
    for analyst, e in sorted(((a, e) for a, tl in q.analysts.items() for e in tl), key=lambda x: x[1].at):
        current[analyst] = e.probability
        points[e.at] = _aggregate(list(current.values()), how, factor)  # the last change at a time wins
    return [sc.Estimate(at, p) for at, p in points.items()]


def board_json(b: ScoreBoard) -> dict[str, Any]:
    """The scoreboard as the CLI and the API give it."""
    return {"at": b.at.isoformat(), "questions": b.questions, "annulled": b.annulled, "bins": b.bins,
            "withheld": b.withheld, "rows": [row_json(r) for r in b.rows],
            "pooled": row_json(b.pooled) if b.pooled else None,
            "aggregation": {"brier": _report_json(b.aggregation), "log": _report_json(b.aggregation_log)}}


def row_json(r: Row) -> dict[str, Any]:
    return {"kind": r.kind, "label": r.label, "own": r.own, "brier": r.score.brier, "log": r.score.log,
            "coverage": r.score.coverage, "questions": r.score.questions, "forecasts": r.forecasts,
            "calibration": _calibration_json(r.calibration),
            "discrimination": {"auc": r.discrimination.auc, "mean_difference": r.discrimination.mean_difference}
            if r.discrimination else None}


# -- helpers ---------------------------------------------------------------------------------------------------


def _model_query(cond: Any) -> Any:
    """A scenario question's assessments over its life, from the last one before it opened."""
    a2 = t.assessments.alias("before")
    opened = (select(func.max(a2.c.at)).where(a2.c.scenario_id == Q.scenario_id, a2.c.at <= Q.created_at)
              .scalar_subquery())
    return (select(Q.id, A.at, A.probability)
            .where(cond, A.scenario_id == Q.scenario_id, A.at <= Q.resolved_at,
                   A.at >= func.coalesce(opened, Q.created_at)).order_by(A.at, A.id))


def _analyst_rows(found: Sequence[Resolved], bins: int) -> list[Row]:
    by: dict[str, list[tuple[sc.QuestionLife, list[sc.Estimate]]]] = defaultdict(list)
    for q in found:
        for analyst, tl in q.analysts.items():
            by[analyst].append((q.life, tl))
    return [r for name in sorted(by) for r in _rows("analyst", name, by[name], bins)]


def _team_rows(found: Sequence[Resolved], bins: int, factors: Sequence[float]) -> list[Row]:
    """The team's mean and median rows, and the extremized one with ``factors``: each scored question's
    leave-one-out factor, in order (the Brier aggregation report's; none under 2 questions)."""
    scored = [q for q in found if q.final()]
    rows = [r for how in TEAM[:2] for r in _rows("team", f"team {how}",
                                                   [(q.life, team_timeline(q, how)) for q in scored], bins)]
    if len(scored) < 2:
        return rows
    timelines = [(q.life, team_timeline(q, "extremized", a)) for q, a in zip(scored, factors, strict=True)]
    return rows + _rows("team", "team extremized", timelines, bins)


def _rows(kind: Kind, label: str, timelines: Sequence[tuple[sc.QuestionLife, Sequence[sc.Estimate]]],
          bins: int, least: int = MIN_FORECASTS) -> list[Row]:
    """One forecaster's row (calibrated with ``least`` forecasts or more), or none when it stood on no question."""
    score = sc.forecaster_score(timelines)
    if score is None:
        return []
    ps, ys = _forecasts(timelines)
    enough = len(ps) >= least
    return [Row(kind, label, score, len(ps), sc.calibration(ps, ys, bins) if enough else None,
                sc.discrimination(ps, ys) if enough else None)]


def _pooled(found: Sequence[Resolved], bins: int) -> Row | None:
    """Every analyst's forecasts pooled: the analysts' calibration without naming any."""
    rows = _rows("team", "analysts pooled", [(q.life, tl) for q in found for tl in q.analysts.values()], bins, 1)
    return rows[0] if rows else None


def _forecasts(timelines: Iterable[tuple[sc.QuestionLife, Sequence[sc.Estimate]]]) -> tuple[list[float], list[int]]:
    """Every forecast that stood during its question's life, with the outcome."""
    pairs = [(p, life.outcome) for life, tl in timelines for _, p in sc.standing(life, tl)]
    return [p for p, _ in pairs], [y for _, y in pairs]


def _aggregate(ps: list[float], how: str, factor: float) -> float:
    if how == "mean":
        return sc.aggregate_mean(ps)
    if how == "median":
        return float(statistics.median(ps))
    return sc.extremized(ps, factor)


def _report(finals: list[tuple[list[float], int]], loss: sc.Loss) -> sc.AggregationReport | None:
    return sc.aggregation_report(finals, loss) if len(finals) >= 2 else None


def _last(timeline: Sequence[sc.Estimate], before: datetime) -> sc.Estimate | None:
    return next((e for e in reversed(timeline) if e.at <= before), None)


def _rank(r: Row) -> tuple[float, float, str]:
    return (r.score.brier, r.score.log, r.label)


def _calibration_json(c: sc.Calibration | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"brier": c.brier, "reliability": c.reliability, "resolution": c.resolution, "uncertainty": c.uncertainty,
            "within_variance": c.within_variance, "within_covariance": c.within_covariance,
            "rows": [{"lower": r.lower, "upper": r.upper, "mean_forecast": r.mean_forecast, "observed": r.observed,
                      "count": r.count} for r in c.rows]}


def _report_json(r: sc.AggregationReport | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"loss": r.loss, "questions": r.questions, "mean": r.mean, "median": r.median,
            "log_odds_mean": r.log_odds_mean, "extremized_loo": r.extremized_loo, "factor": r.factor,
            "loo_factors": list(r.loo_factors)}
