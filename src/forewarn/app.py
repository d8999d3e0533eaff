"""Workspace: the one composition root. The CLI, the web app and the tests all build one.

It builds each service once, for one acting principal (:class:`forewarn.model.Principal`): the
person at the terminal by default, a workbench user in the web app (:meth:`Workspace.acting_as`), the
system for cycles and replays. Every method returns data; nothing here prints or exits.

Its clock is the workspace's own (:class:`forewarn.ledger.clock.WorkspaceClock`): the time a demo or replayed
workspace was set to (``forewarn clock set``), else the real time. A clock passed in (tests, the demo's play)
wins over it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial

from forewarn.accounts import Accounts
from forewarn.config import Settings
from forewarn.detect.desk import ScenarioDesk
from forewarn.ingest.annotations import AnnotationDesk
from forewarn.ingest.entities import EntityDesk
from forewarn.ingest.intake import Intake
from forewarn.ingest.sources import SourceDesk
from forewarn.interchange import ExportDesk
from forewarn.ledger.autoanchor import attach as attach_anchors
from forewarn.ledger.clock import ClockDesk, WorkspaceClock
from forewarn.ledger.service import LedgerService
from forewarn.model import Principal
from forewarn.model.clock import utc_now
from forewarn.model.dissent import dissent_json
from forewarn.nlp.translate import load_translator
from forewarn.reads import Reads
from forewarn.reads.feed import FeedDesk
from forewarn.review.desk import ReviewDesk
from forewarn.review.judged import judgments_seen
from forewarn.store import SqlStore, open_store
from forewarn.store.export import object_compartments
from forewarn.store.health import StoreHealth
from forewarn.warn import WarningDesk
from forewarn.warn.ach import AchDesk
from forewarn.warn.assumptions import AssumptionDesk
from forewarn.warn.deconfliction import DeconflictionDesk, ExchangeDesk
from forewarn.warn.dissent import DissentDesk
from forewarn.warn.handover import HandoverDesk
from forewarn.warn.judgments import JudgmentDesk
from forewarn.warn.teams import TeamDesk
from forewarn.warn.withheld import hidden_holdings

Clock = Callable[[], datetime]


class Workspace:
    """The services of one workspace, built once for one principal: ``sources``, ``intake`` (ingest
    and extraction), ``reads``, ``entities``, ``ledger``, ``scenarios``, ``warnings``, ``review``,
    ``accounts``, ``annotations`` (notes, tags, corrections), ``time`` (the workspace's own time), ``feed``
    (the live feed), ``handovers`` (shift handovers) and ``judgments`` (questions, blind estimates, lines)."""

    def __init__(self, settings: Settings, store: SqlStore, clock: Clock | None = None, *,
                 who: Principal | None = None, real: Clock = utc_now) -> None:
        """``clock``: None for the workspace's own clock (its time when one is set, else ``real``)."""
        own = clock if isinstance(clock, WorkspaceClock) else WorkspaceClock(store, real)
        clock = clock or own
        self.settings, self.store, self.clock = settings, store, clock
        self.who = who or Principal.local(settings.resolved_actor())
        self.accounts = Accounts(store, clock, real if clock is own else clock)  # sessions expire in real time
        self.sources = SourceDesk(store, clock, self.who)
        self.reads = Reads(store, self.who, load_translator(settings.translator), settings.translator)
        self.ledger = LedgerService(store, settings, clock, self.who, attach_anchors(store, settings, clock),
                                    lambda: self.reads.access)
        self.intake = Intake(store, settings, clock, self.who, self.sources, self.ledger)
        self.entities = EntityDesk(store, clock, self.ledger)
        self.scenarios = ScenarioDesk(store, settings, clock, self.who, self.ledger, lambda: self.reads.access)
        self.warnings = WarningDesk(store, settings, clock, self.ledger, self.scenarios.get, lambda: self.reads.access)
        self.review = ReviewDesk(self.scenarios, self.warnings, self.reads.count_documents, clock,
                                 lambda sid, warnings: judgments_seen(  # read when asked
                                     self.judgments, self.dissents, self.assumptions, sid, warnings,
                                     settings.softening_gap), lambda: self.reads.access,
                                 partial(hidden_holdings, store))
        self.annotations = AnnotationDesk(store, clock, self.ledger, lambda: self.scenarios.gazetteer,
                                          lambda: self.reads.access)
        self.time = ClockDesk(store, own, self.who, self.ledger, None if clock is own else clock)
        self.feed = FeedDesk(self.reads, store, clock, self.ledger, lambda: own.setting() is not None)
        self.handovers = HandoverDesk(store, clock, self.who, self.ledger, lambda: self.reads.access)
        self.judgments = JudgmentDesk(store, settings, clock, self.who, self.ledger, self.scenarios.get,
                                      lambda sid, at: self.scenarios.assess(sid, at).probability,
                                      lambda line_id: [dissent_json(d) for d in self.dissents.of_line(line_id)],
                                      lambda: self.reads.access)
        revealed = partial(self.judgments.view, model=False)  # what the blind rule shows, without assessing
        self.dissents = DissentDesk(store, clock, self.who, self.ledger, revealed, lambda: self.reads.access)
        self.assumptions = AssumptionDesk(store, settings, clock, self.who, self.ledger, revealed,
                                          lambda: self.scenarios.gazetteer, lambda: self.reads.access)
        self.ach = AchDesk(store, clock, self.who, self.ledger, self.reads.ach_evidence, lambda: self.reads.access)
        self.deconfliction = DeconflictionDesk(store, settings, clock, self.who, self.ledger)  # issue 18
        self.exchanges = ExchangeDesk(store, settings, clock, self.who, self.ledger)
        self.teams = TeamDesk(store, clock, self.who, self.ledger, lambda: self.reads.access)  # issue 18
        self.health = StoreHealth(store.engine)  # issue 20: /healthz, /metrics, the watch's metrics
        self.exports = ExportDesk(self.reads, self.scenarios, self.warnings,  # issue 19
                                  partial(object_compartments, store.engine))

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None, *, who: Principal | None = None) -> Workspace:
        """The workspace of ``settings``; its clock is the workspace's own unless ``clock`` is given."""
        return cls(settings, open_store(settings.database_url), clock, who=who)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def actor(self) -> str:
        """The name this workspace's actions are recorded under."""
        return self.who.name

    @property
    def writes(self) -> int:
        """Write transactions begun on this workspace's store so far: a command that raised it changed
        the workspace (the CLI then says whom it recorded the change as)."""
        return self.store.writes

    def acting_as(self, who: Principal) -> Workspace:
        """A view of this workspace whose services act and read for ``who`` (the web app's authenticated
        user). It shares the store: close the original, not the view. Ledger entries it makes are
        unsigned (signing keys belong to people at a terminal, not to the server)."""
        settings = replace(self.settings, actor=who.name, signing_key=None)
        return Workspace(settings, self.store, self.clock, who=who)
