"""SQLAlchemy Core schema of the workspace. Changes go through a new Alembic migration in
``migrations/versions``; a test checks that the migrated database matches this metadata."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from forewarn.store.types import JSONText, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
    }
)

sources = Table(
    "sources", metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("reliability", String(1), nullable=False),
    Column("marking", String(24), nullable=False),
    Column("team", String(64)),
    Column("compartment", Integer),  # who may see it (model.marking; NULL: everyone), migration 0020
    Column("options", JSONText, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

ingest_runs = Table(
    "ingest_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(16), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("inputs", JSONText, nullable=False),
    Column("new", Integer, nullable=False, default=0),
    Column("duplicate", Integer, nullable=False, default=0),
    Column("near_duplicate", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
)

ingest_issues = Table(
    "ingest_issues", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False, index=True),
    Column("code", String(8), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("location", Text, nullable=False),
    Column("item", Text),
    Column("message", Text, nullable=False),
    Column("hint", Text, nullable=False),
)

clusters = Table(
    "clusters", metadata,
    Column("id", String(64), primary_key=True),  # id of the cluster's first document
    Column("created_at", UTCDateTime, nullable=False),
    Column("size", Integer, nullable=False),
)

# the partial indexes' conditions (0030): a near-duplicate document; an event a review counts
_DUPLICATE = text("cluster_id <> id")
_FACTUAL = text("negated IS false AND hypothetical IS false")

documents = Table(
    "documents", metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the normalised text
    Column("key", BigInteger, nullable=False, index=True),  # the id's first 8 bytes: compact LSH reference
    Column("source_id", String(64), index=True),
    Column("url", Text),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("published_at", UTCDateTime, index=True),
    Column("published_precision", String(8)),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("language", String(16)),
    Column("marking", String(24), nullable=False),
    Column("team", String(64)),
    Column("compartment", Integer),  # who may see it (model.marking; NULL: everyone), migration 0020
    Column("cluster_id", String(64), nullable=False, index=True),
    Column("reader", String(16), nullable=False),
    Column("location", Text, nullable=False),
    Column("item", Text),
    Column("raw_sha256", String(64), nullable=False),
    Column("run_id", Integer, nullable=False, index=True),
    Column("meta", JSONText, nullable=False),
    Column("shingles", Integer, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Index("ix_documents_id_compartment", "id", "compartment"),  # 0020: hidden ids among cited ones, index-only
    # 0030: the near-duplicates' clusters (most documents are their own cluster): a surge's rows look up only these
    Index("ix_documents_duplicates", "id", "cluster_id", postgresql_where=_DUPLICATE, sqlite_where=_DUPLICATE),
)

sightings = Table(
    "sightings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),  # sha256(document, location, item)
    Column("document_id", String(64), nullable=False, index=True),
    Column("source_id", String(64)),
    Column("location", Text, nullable=False),
    Column("item", Text),
    Column("url", Text),
    Column("published_at", UTCDateTime),
    Column("raw_sha256", String(64), nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
)

lsh_bands = Table(
    "lsh_bands", metadata,
    Column("band_key", BigInteger, primary_key=True),
    Column("document_key", BigInteger, primary_key=True),  # documents.key
    sqlite_with_rowid=False,
)

feed_validators = Table(
    "feed_validators", metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("updated_at", UTCDateTime, nullable=False),
)


# -- extraction (migration 0002) -------------------------------------------------------------

entities = Table(
    "entities", metadata,
    Column("id", Text, primary_key=True),  # "dict:rus-fsb", "ner:person:vladimir-putin"
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("country", String(8)),  # ISO 3166 alpha-3, or IGO-style codes
    Column("sector", String(16)),
    Column("origin", String(16), nullable=False),  # dictionary, ner, user (a person edited it: extraction keeps off)
    Column("merged_into", Text, ForeignKey("entities.id")),
    Column("canonical_id", Text, nullable=False, index=True),  # end of the merged_into chain (itself if unmerged)
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(128)),  # who last edited it by hand (None: only extraction wrote it)
)

entity_aliases = Table(
    "entity_aliases", metadata,
    Column("entity_id", Text, ForeignKey("entities.id"), primary_key=True),
    Column("alias", Text, primary_key=True),
)

entity_merges = Table(
    "entity_merges", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("from_id", Text, ForeignKey("entities.id"), nullable=False),
    Column("into_id", Text, ForeignKey("entities.id"), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("note", Text),
    Column("undone_by", String(128)),
    Column("undone_at", UTCDateTime),
)

extractions = Table(  # one row per document: the latest extraction attempt
    "extractions", metadata,
    Column("document_id", String(64), ForeignKey("documents.id"), primary_key=True),
    Column("extractor", Text, nullable=False),
    Column("status", String(8), nullable=False),  # ok, failed
    Column("error", Text),
    Column("extracted_at", UTCDateTime, nullable=False),
    Column("counts", JSONText, nullable=False),
    Index("ix_extractions_status_extracted_at", "status", "extracted_at"),  # the extraction rate (store.health)
)

mentions = Table(
    "mentions", metadata,
    Column("document_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),  # position in the extraction
    Column("entity_id", Text, nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("sentence", Integer, nullable=False),
    Column("extractor", Text, nullable=False),
)

places = Table(
    "places", metadata,
    Column("document_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("country", String(8), nullable=False),
    Column("admin1", Text),
    Column("gazetteer_id", Text, nullable=False),
    Column("precision", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("sentence", Integer, nullable=False),
    Column("extractor", Text, nullable=False),
)

events = Table(
    "events", metadata,
    Column("id", String(64), primary_key=True),  # hash of document, sentence, trigger offsets, type
    Column("document_id", String(64), nullable=False, index=True),
    Column("source_id", String(64)),  # the document's, for fast filtering
    Column("published_at", UTCDateTime),  # the document's
    Column("extractor", Text, nullable=False),
    Column("coded_at", UTCDateTime, nullable=False),
    Column("type", String(16), nullable=False),
    Column("mode", String(32)),
    Column("contexts", JSONText, nullable=False),
    Column("actor_entity_id", Text),
    Column("actor_text", Text),
    Column("actor_start", Integer),
    Column("actor_end", Integer),
    Column("actor_country", String(8)),  # of the canonical entity (kept current on merge/edit)
    Column("actor_sector", String(16)),
    Column("recipient_entity_id", Text),
    Column("recipient_text", Text),
    Column("recipient_start", Integer),
    Column("recipient_end", Integer),
    Column("recipient_country", String(8)),
    Column("recipient_sector", String(16)),
    Column("place_name", Text),
    Column("place_lat", Float),
    Column("place_lon", Float),
    Column("place_country", String(8)),
    Column("place_admin1", Text),
    Column("place_gazetteer_id", Text),
    Column("place_precision", String(8)),
    Column("place_text", Text),
    Column("place_start", Integer),
    Column("place_end", Integer),
    Column("date", Date, nullable=False),
    Column("date_precision", String(8), nullable=False),
    Column("date_from_publication", Boolean, nullable=False),
    Column("negated", Boolean, nullable=False),
    Column("hypothetical", Boolean, nullable=False),
    Column("future", Boolean, nullable=False),
    Column("reported", Boolean, nullable=False),
    Column("sentence", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("actor_inferred", Boolean, nullable=False, server_default=false()),  # by rule, not named (0010)
    Column("coder", String(64), nullable=False, server_default="rules"),  # rules, model:NAME, rules+model:NAME
    Column("compartment", Integer),  # who may see it (model.marking; NULL: everyone), migration 0020
    # the explorer filters one of these and a date range, leaving out negated events; each index also
    # carries the point, so the map's grid and the daily counts read no table rows (migrations 0005, 0006),
    # the compartment, so they still read none when some are hidden from the asker (0020), and the type and
    # the place's country, region and name, which the explorer and the map count by (0022)
    Index("ix_events_type_date", "type", "date", "negated", "place_lat", "place_lon", "compartment",
          "place_country", "place_admin1", "place_name"),
    Index("ix_events_actor_country_date", "actor_country", "date", "negated", "place_lat", "place_lon",
          "compartment", "type", "place_country", "place_admin1", "place_name"),
    Index("ix_events_recipient_country_date", "recipient_country", "date", "negated", "place_lat", "place_lon",
          "compartment", "type", "place_country", "place_admin1", "place_name"),
    Index("ix_events_source_id_date", "source_id", "date", "negated", "place_lat", "place_lon", "compartment",
          "type", "place_country", "place_admin1", "place_name"),
    # a scenario's indicator of a participant's countries and a few types (0030)
    *(Index(f"ix_events_{role}_country_type", f"{role}_country", "type", "date", postgresql_where=_FACTUAL,
            sqlite_where=_FACTUAL) for role in ("actor", "recipient")),
    # a scenario's region (first-level regions of countries) and the explorer's place filter (0022)
    Index("ix_events_place_admin1", "place_admin1", "date", "negated", "place_country", "type"),
    # 0026: events by when their documents became known (a review's late reports and counts)
    Index("ix_events_published_at", "published_at", "date", "negated", "hypothetical", "type", "place_country",
          "place_admin1", postgresql_where=text("published_at IS NOT NULL"),
          sqlite_where=text("published_at IS NOT NULL")),
    Index("ix_events_place_name", "place_name", "date", "negated"),
    Index("ix_events_id_compartment", "id", "compartment"),  # 0020: hidden ids among cited ones, index-only
    Index("ix_events_date_place", "date", "negated", "place_lat", "place_lon", "type", "mode", "source_id",
          "actor_country", "recipient_country", "confidence", "place_name", "place_admin1", "place_country",
          "compartment"),  # 0015, 0020
    Index("ix_events_actor_entity_id", "actor_entity_id", "date", "negated", "recipient_entity_id", "compartment"),
    Index("ix_events_recipient_entity_id", "recipient_entity_id", "date", "negated", "actor_entity_id",
          "compartment"),
)

claims = Table(
    "claims", metadata,
    Column("document_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("speaker_entity_id", Text),
    Column("speaker_text", Text, nullable=False),
    Column("speaker_start", Integer),
    Column("speaker_end", Integer),
    Column("cue", String(32), nullable=False),
    Column("content_start", Integer, nullable=False),
    Column("content_end", Integer, nullable=False),
    Column("quoted", Boolean, nullable=False),
    Column("stance", String(16)),
    Column("sentence", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("extractor", Text, nullable=False),
    # the event the claim is about (migration 0010): "X warns Y could invade Z" claims Y's ASSAULT on Z
    Column("claimed_type", String(16), index=True),
    Column("claimed_modality", String(16)),
    Column("claimed_actor_entity_id", Text),
    Column("claimed_actor_text", Text),
    Column("claimed_actor_country", String(8)),
    Column("claimed_actor_sector", String(16)),
    Column("claimed_recipient_entity_id", Text),
    Column("claimed_recipient_text", Text),
    Column("claimed_recipient_country", String(8)),
    Column("claimed_place_name", Text),
    Column("claimed_place_country", String(8)),
    Column("claimed_place_admin1", Text),
    Column("claimed_place_lat", Float),
    Column("claimed_place_lon", Float),
    Column("compartment", Integer),  # who may see it (model.marking; NULL: everyone), migration 0020
)


# -- warning (migration 0003) ----------------------------------------------------------------

scenarios = Table(  # scenarios added to the workspace; every change is also in the ledger
    "scenarios", metadata,
    Column("id", String(64), primary_key=True),
    Column("compartment", Integer),  # who may see it (model.marking; NULL: everyone), migration 0020
    Column("version", String(64), nullable=False),  # SHA-256 of the YAML text
    Column("name", Text, nullable=False),
    Column("yaml", Text, nullable=False),
    Column("origin", Text, nullable=False),  # file it came from
    Column("enabled", Boolean, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("added_by", String(128), nullable=False),
)

assessments = Table(  # a scenario's probability at a time, with every signal's contribution
    "assessments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scenario_id", String(64), nullable=False),
    Column("scenario_version", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("probability", Float, nullable=False),
    Column("log_odds", Float, nullable=False),
    Column("level", String(16)),
    Column("signals", JSONText, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_assessments_scenario_id_at", "scenario_id", "at"),
)

warnings = Table(
    "warnings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("compartment", Integer),  # who may see it (model.marking; NULL: everyone), migration 0020
    Column("origin", String(16), nullable=False),
    Column("scenario_id", String(64), index=True),
    Column("severity", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("probability", Float),
    Column("event_ids", JSONText, nullable=False),
    Column("document_ids", JSONText, nullable=False),
    Column("partner", Text),
    Column("partner_ref", Text),
    Column("state", String(16), nullable=False, index=True),
    Column("disposition", String(16)),
    Column("rationale", Text),
    Column("signposts", JSONText, nullable=False),
    Column("owner", String(128), nullable=False),
    Column("chain", JSONText, nullable=False),
    Column("escalation_level", Integer, nullable=False),
    Column("raised_at", UTCDateTime, nullable=False),
    Column("raised_by", String(128), nullable=False),
    Column("ack_deadline", UTCDateTime),
    Column("acknowledged_at", UTCDateTime),
    Column("acknowledged_by", String(128)),
    Column("disposed_at", UTCDateTime),
    Column("disposed_by", String(128)),
    Column("reopened", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # the account holding the owner's role when it was assigned (None: nobody on shift),
    # the next automatic step (escalation or reminder; None: none), reminders sent at the chain's end
    Column("owner_account", String(128)),
    Column("owner_name", Text),
    Column("due_at", UTCDateTime),
    Column("reminders", Integer, nullable=False, server_default="0"),
)

outbox = Table(  # notifications waiting for (or done with) delivery; a failure stays and is retried
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("warning_id", Integer, index=True),  # None on a notice about something else (issue 17, part A)
    Column("subject", String(64), index=True),  # "warning:7", "question:7", "assumption:3" (issue 17, part A)
    Column("reason", String(16), nullable=False),  # raised, escalated, reopened; a notice's: line-flagged, …
    Column("channel", String(16), nullable=False),  # webhook, email
    Column("target", Text, nullable=False),  # e-mail address, or the webhook URL redacted (forewarn.redact)
    Column("target_fingerprint", String(16)),  # of the full target: delivery checks the configured URL has it
    Column("payload", JSONText, nullable=False),
    Column("status", String(16), nullable=False, index=True),  # pending, sent, dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
)

ledger = Table(  # append-only and hash-chained: the database refuses UPDATE, DELETE and REPLACE (triggers)
    "ledger", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(128), nullable=False, index=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("subject", Text, nullable=False, index=True),
    Column("payload", Text, nullable=False),  # canonical JSON, exactly as hashed
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("key_id", String(64)),
    Column("signature", String(128)),
)

ledger_keys = Table(  # public keys actors sign ledger entries with (registration is itself a ledger entry)
    "ledger_keys", metadata,
    Column("key_id", String(64), primary_key=True),  # SHA-256 of the raw public key, hex
    Column("actor", String(128), nullable=False, index=True),
    Column("public_key", Text, nullable=False),  # raw 32 bytes, hex
    Column("registered_at", UTCDateTime, nullable=False),
)

users = Table(  # workbench accounts; every change is also in the ledger
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),  # the actor name on ledger entries
    Column("display_name", Text, nullable=False),
    Column("role", String(16), nullable=False),  # viewer, analyst, duty_officer, admin
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("disabled", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

api_tokens = Table(  # tokens for scripts: only a SHA-256 of the secret is kept
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
)

web_sessions = Table(  # logged-in browsers: only a SHA-256 of the cookie value is kept
    "web_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
)

# -- the duty roster (migration 0012) ------------------------------------------
roster = Table(  # who holds a role (a post in escalation chains) during a shift; every change is in the ledger
    "roster", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("role", String(128), nullable=False, index=True),  # lower-case, as chains name it: "duty-officer"
    Column("account", String(128), nullable=False),  # users.name
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime),  # None: until removed
    Column("added_by", String(128), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("removed_at", UTCDateTime),
    Column("removed_by", String(128)),
)

# -- notes, tags and corrections (migration 0013) ------------------------------
# an annotation's target: "document:<id>" or "event:<document>:<trigger start>:<trigger end>:<type as extracted>"
# (forewarn.model.annotations): an event coded again at the same trigger with the same type re-attaches
annotation_notes = Table(  # free-text notes on documents and events; each is also in the ledger
    "annotation_notes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("compartment", Integer),  # who may see it (model.marking; NULL: everyone), migration 0020
    Column("target", String(200), nullable=False, index=True),
    Column("document_id", String(64), nullable=False, index=True),
    Column("event_id", String(64)),  # the event's id when the note was made
    Column("text", Text, nullable=False),
    Column("author", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

annotation_tags = Table(  # short normalised labels; adding and removing each is in the ledger
    "annotation_tags", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(200), nullable=False),
    Column("document_id", String(64), nullable=False, index=True),
    Column("event_id", String(64)),
    Column("tag", String(48), nullable=False, index=True),
    Column("author", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_annotation_tags_target", "target", "tag", unique=True),
)

event_corrections = Table(  # append-only: each correction (fields set, or a rejection) of an event, by its key
    "event_corrections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(200), nullable=False, index=True),
    Column("document_id", String(64), nullable=False, index=True),
    Column("event_id", String(64), nullable=False),  # the event's id when corrected
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("original_type", String(16), nullable=False),
    Column("action", String(8), nullable=False),  # correct, reject
    Column("changes", JSONText, nullable=False),  # the fields set (forewarn.store.notes)
    Column("original", JSONText, nullable=False),  # each changed field's value before, as shown
    Column("reason", Text),
    Column("author", String(128), nullable=False),
    Column("made_at", UTCDateTime, nullable=False, index=True),
)

# -- the workspace's own time (migration 0011) ---------------------------------
workspace_clock = Table(  # at most one row: the time this workspace lives in when it is not the real time
    "workspace_clock", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("at", UTCDateTime, nullable=False),  # the workspace time it was set to
    Column("set_at", UTCDateTime, nullable=False),  # the real time it was set
    Column("running", Boolean, nullable=False),  # runs on from there (True) or stays frozen
    Column("set_by", String(128), nullable=False),
)


# -- the live feed and shift handovers (issue 16; migration 0014) ------------------

feed_visits = Table(  # each account's mark in the live feed: the newest item (by the time it became known) seen
    "feed_visits", metadata,
    Column("account", String(128), primary_key=True),
    Column("seen_until", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
)

handovers = Table(  # a shift handover note; written once and never changed (a correction is a new note)
    "handovers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("written_at", UTCDateTime, nullable=False, index=True),
    Column("written_by", String(128), nullable=False),
    Column("since", UTCDateTime, nullable=False),  # what changed is told from here (the previous note) on
    Column("previous_id", Integer),
    Column("corrects", Integer),  # the note this one corrects
    Column("watch", Text, nullable=False),
    Column("open_warnings", JSONText, nullable=False),  # a snapshot at writing
    Column("changes", JSONText, nullable=False),
)

handover_acks = Table(  # the incoming officers' acknowledgements of a handover
    "handover_acks", metadata,
    Column("handover_id", Integer, primary_key=True),
    Column("account", String(128), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
)

Index("ix_documents_ingested_at", documents.c.ingested_at, documents.c.id)  # the feed's order (0014)
Index("ix_documents_undated", documents.c.ingested_at, postgresql_where=documents.c.published_at.is_(None),
      sqlite_where=documents.c.published_at.is_(None))  # undated documents, known when ingested (0026)


# -- questions, blind estimates and published lines (issue 17; migration 0016) -------

questions = Table(  # a binary question; a scenario's own question carries its scenario_id (one at most)
    "questions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("compartment", Integer),  # who may see it (model.marking; NULL: everyone), migration 0020
    Column("title", String(300), nullable=False),
    Column("criteria", Text, nullable=False),
    Column("resolves_by", Date, nullable=False),
    Column("owner", String(128), nullable=False),
    Column("state", String(16), nullable=False, index=True),  # open, resolved-yes, resolved-no, annulled
    Column("scenario_id", String(64), unique=True),
    Column("reveal_at", UTCDateTime),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("resolution", Text),
    Column("resolved_by", String(128)),
    Column("resolved_at", UTCDateTime),
)

estimates = Table(  # append-only: an analyst's change is a new estimate
    "estimates", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_id", Integer, nullable=False),
    Column("analyst", String(128), nullable=False),
    Column("probability", Float, nullable=False),
    Column("rationale", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("blind", Boolean, nullable=False),
    Column("salt", String(64), nullable=False),  # the ledger entry holds a commitment (sha256 with it), not the value
    Index("ix_estimates_question", "question_id", "analyst", "at"),
)

published_lines = Table(  # append-only: the probability and words a team passes up, with its softening gaps
    "published_lines", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_id", Integer, nullable=False, index=True),
    Column("probability", Float, nullable=False),
    Column("words", String(64), nullable=False),
    Column("published_by", String(128), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("gap", Float),
    Column("model_gap", Float),
    Column("flagged", Boolean, nullable=False),
    Column("salt", String(64), nullable=False),
)

# -- protected dissent (migration 0017) --------------------------------------------------------

dissents = Table(  # append-only (triggers refuse UPDATE and DELETE): dissent from a published line or a disposition
    "dissents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(16), nullable=False),  # line, disposition
    Column("target_id", Integer, nullable=False),  # published_lines.id or warnings.id
    Column("question_id", Integer),  # a line's question (None for a disposition)
    Column("analyst", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("salt", String(64), nullable=False),  # a line dissent's ledger commitment salt; "" for a disposition
    Index("ix_dissents_target", "target", "target_id"),
)

# -- competing hypotheses (migration 0018) ----------------------------------------------------

ach_matrices = Table(  # a matrix of hypotheses x evidence; its content is the fold of its changes (ach_changes)
    "ach_matrices", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(300), nullable=False),
    Column("owner", String(128), nullable=False),
    Column("question_id", Integer, index=True),  # the question it belongs to, if any
    Column("version", Integer, nullable=False),  # its latest change's
    Column("created_by", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

ach_changes = Table(  # append-only (triggers): every change of a matrix, numbered 1, 2 ... (each an ach-changed entry)
    "ach_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("matrix_id", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("op", String(32), nullable=False),  # create, add-hypothesis, add-evidence, rate, remove-...
    Column("payload", JSONText, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    UniqueConstraint("matrix_id", "version"),
)

# -- key assumptions with signposts

assumptions = Table(  # an assumption behind a question's lines; its text is committed to in the ledger, kept here
    "assumptions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_id", Integer, nullable=False, index=True),
    Column("line_id", Integer),
    Column("owner", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("signposts", Text, nullable=False),  # YAML: indicators in the scenario format
    Column("state", String(16), nullable=False, index=True),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("checked_until", UTCDateTime, nullable=False),  # the watermark: observations known after it are new
    Column("salt", String(64), nullable=False),
    Column("review", Text),
    Column("review_salt", String(64)),
    Column("reviewed_by", String(128)),
    Column("reviewed_at", UTCDateTime),
)

assumption_matches = Table(  # append-only (triggers): an observation that matched one of an assumption's signposts
    "assumption_matches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("assumption_id", Integer, nullable=False),
    Column("signpost", String(64), nullable=False),
    Column("kind", String(8), nullable=False),  # event or claim
    Column("evidence_id", String(160), nullable=False),
    Column("document_id", String(128), nullable=False),
    Column("known_at", UTCDateTime, nullable=False),
    Column("found_at", UTCDateTime, nullable=False),
    Column("evidence", Text, nullable=False),
    UniqueConstraint("assumption_id", "signpost", "evidence_id"),
)

# -- teams, compartments and the read audit (migration 0020) ------------------------------------

teams = Table(  # a team (compartment owner); every change is also in the ledger
    "teams", metadata,
    Column("id", String(64), primary_key=True),  # slug
    Column("name", String(200), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

team_members = Table(  # who belongs to a team; adding and removing are in the ledger
    "team_members", metadata,
    Column("team_id", String(64), primary_key=True),
    Column("account", String(128), primary_key=True, index=True),
    Column("added_by", String(128), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
)

compartments = Table(  # each distinct (marking, teams, recipients), written once and never changed
    "compartments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False, unique=True),
    Column("marking", String(24), nullable=False),
    Column("teams", Text, nullable=False),  # comma-separated team ids, all of which are needed
    Column("recipients", Text, nullable=False),  # comma-separated accounts (and, for AMBER, teams)
)

read_audit = Table(  # who read which AMBER or RED object, when, and by which way out
    "read_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("account", String(128), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("object_id", String(160), nullable=False),
    Column("compartment", Integer, nullable=False),
    Column("via", String(16), nullable=False),
)

# -- deconfliction inside a workspace and between installations (issue 18; migration 0021) ----------------------

deconfliction_selectors = Table(  # a selector a team's holdings name; excluded ones are never matched
    "deconfliction_selectors", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("key", Text, nullable=False, index=True),  # the normalised key ("phone:+380…"), matched across teams
    Column("shown", Text, nullable=False),  # as the team wrote it (for its members' eyes only)
    Column("found_at", UTCDateTime, nullable=False),
    Column("salt", String(64), nullable=False),  # for the ledger's commitments to the team and the key
    Column("excluded_by", String(128)),
    Column("excluded_at", UTCDateTime),
    UniqueConstraint("team_id", "key"),
)

deconfliction_matches = Table(  # two teams' selectors that name the same thing (selector_a < selector_b)
    "deconfliction_matches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("selector_a", Integer, nullable=False),
    Column("selector_b", Integer, nullable=False, index=True),
    Column("found_at", UTCDateTime, nullable=False),
    Column("salt", String(64), nullable=False),
    Column("excluded", Boolean, nullable=False, server_default=false()),  # a side excluded its selector since
    UniqueConstraint("selector_a", "selector_b"),
)

deconfliction_requests = Table(  # a brokered request to talk about a match: open, accepted or declined
    "deconfliction_requests", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("match_id", Integer, nullable=False, index=True),
    Column("from_team", String(64), nullable=False),
    Column("to_team", String(64), nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("answered_by", String(128)),
    Column("answered_at", UTCDateTime),
)

deconfliction_runs = Table(  # each matching run; the last one's checked_until is the watermark
    "deconfliction_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("checked_until", UTCDateTime, nullable=False),
    Column("ran_at", UTCDateTime, nullable=False),
    Column("selectors", Integer, nullable=False),
    Column("matches", Integer, nullable=False),
)

deconfliction_exchanges = Table(  # each step of an exchange with another installation (never the selectors)
    "deconfliction_exchanges", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("exchange_id", String(64), nullable=False),
    Column("step", String(16), nullable=False),  # request, answer, finish
    Column("peer", String(128), nullable=False, index=True),
    Column("mode", String(16), nullable=False),
    Column("own_size", Integer, nullable=False),  # padded
    Column("peer_size", Integer),  # padded, as the peer's file says
    Column("file_sha256", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(128), nullable=False),
)

# -- text matches remembered for the reviews at size (migration 0024) ---------------------------

day_marks = Table(  # per day, a generation the write path raises whenever that day's events or documents change
    "day_marks", metadata,
    Column("kind", String(16), primary_key=True),  # events (by event date), documents (by the day known)
    Column("day", Date, primary_key=True),
    Column("generation", Integer, nullable=False),
)

match_marks = Table(  # the days a pattern was tested on, and the generation of each day it saw
    "match_marks", metadata,
    Column("key", String(64), primary_key=True),  # a digest of the pattern and the items it is tested on
    Column("day", Date, primary_key=True),
    Column("generation", Integer, nullable=False),
)

match_hits = Table(  # the items (event or document ids) a pattern matched, on the days match_marks names
    "match_hits", metadata,
    Column("key", String(64), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("day", Date, nullable=False),
    Index("ix_match_hits_key_day", "key", "day"),
)

document_days = Table(  # documents known (published, else ingested) per UTC day, added to as ingested (0027)
    "document_days", metadata,
    Column("day", Date, primary_key=True),
    Column("documents", Integer, nullable=False),
)

event_counts = Table(  # events counted per key, kept by the write path (store/counts.py, 0028)
    "event_counts", metadata,
    Column("date", Date, primary_key=True),
    Column("type", String(16), primary_key=True),
    Column("negated", Boolean, primary_key=True),
    Column("compartment", Integer, primary_key=True, autoincrement=False),  # 0: open (NULL in events)
    Column("place_country", String(8), primary_key=True),  # '': none
    Column("place_admin1", Text, primary_key=True),  # '': none
    Column("place_name", Text, primary_key=True),  # '': none
    Column("cell", Integer, primary_key=True, autoincrement=False),  # the 0.25° grid cell; -1: no point
    Column("n", Integer, nullable=False),
    Column("lat_sum", Float, nullable=False),
    Column("lon_sum", Float, nullable=False),
)

match_days = Table(  # documents: per day, the independent stories (clusters) and the sources among the hits (0025)
    "match_days", metadata,
    Column("key", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("clusters", Integer, nullable=False),
    Column("sources", Integer, nullable=False),
)
