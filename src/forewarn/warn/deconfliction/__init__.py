"""Deconfliction (issue 18): inside a workspace, selectors from each team's holdings matched across teams with
both owners told and nothing shown (:mod:`.desk`); between installations, a private set intersection by file
(:mod:`.exchange`). Selectors in a document's text are found by :mod:`.finders`."""

from forewarn.warn.deconfliction.desk import DeconflictionDesk, run_deconfliction
from forewarn.warn.deconfliction.exchange import ExchangeDesk

__all__ = ["DeconflictionDesk", "ExchangeDesk", "run_deconfliction"]
