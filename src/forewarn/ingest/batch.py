"""Turn a batch of read items into one store write: exact duplicates become sightings,
new texts become documents, and each new document joins the cluster of its closest
near-duplicate (in the store or earlier in the batch) or founds its own.

An item may carry its own marking (meta ``marking``: a STIX report's TLP, a MISP event's tlp tag): the document
then takes the strictest of its source's compartment and that marking (:func:`item_compartment`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np

from forewarn.errors import ForewarnError, Issue, Severity
from forewarn.ingest import dedup
from forewarn.ingest.normalise import document_id, normalise, sighting_key
from forewarn.model import Document, Marking, RawDocument, Sighting, Source
from forewarn.model.marking import Compartment, strictest
from forewarn.model.source import FeedValidators
from forewarn.nlp.language import document_language
from forewarn.store.batch import Batch, BatchCounts, KeyedSighting, StoredDocument
from forewarn.store.interfaces import IngestStore

MARKING_META = "marking"  # an item's own TLP marking, in its meta


@dataclass(frozen=True, slots=True)
class Pending:
    raw: RawDocument
    source: Source | None


@dataclass(slots=True)
class _Prepared:
    pending: Pending
    text: str
    doc_id: str
    key: str


@dataclass(frozen=True, slots=True)
class _Known:
    """A document a newcomer may be compared with: its fingerprint and cluster."""

    signature: bytes
    shingles: int
    cluster_id: str


class BatchBuilder:
    def __init__(self, store: IngestStore, run_id: int, threshold: float, actor: str = "") -> None:
        self.store = store
        self.run_id = run_id
        self.threshold = threshold
        self.actor = actor  # who ingests: the recipient of an item marked TLP:RED that names nobody
        self.clear()

    def clear(self) -> None:
        self._items: list[_Prepared] = []
        self._issues: list[Issue] = []
        self._validators: list[FeedValidators] = []

    @property
    def size(self) -> int:
        """Items held (documents and issues): a flood of bad lines is flushed like good ones."""
        return len(self._items) + len(self._issues)

    @property
    def empty(self) -> bool:
        return not (self._items or self._issues or self._validators)

    def add(self, pending: Pending) -> None:
        text = normalise(pending.raw.text)
        doc_id = document_id(text, pending.raw.meta)
        self._items.append(_Prepared(pending, text, doc_id, sighting_key(doc_id, pending.raw.location,
                                                                         pending.raw.item)))

    def add_issue(self, issue: Issue) -> None:
        self._issues.append(issue)

    def add_validators(self, validators: FeedValidators) -> None:
        self._validators.append(validators)

    def build(self, tx: Any, now: datetime) -> Batch:
        existing_docs = self.store.existing_documents(tx, {p.doc_id for p in self._items})
        seen_keys = self.store.existing_sightings(tx, {p.key for p in self._items})
        fresh = {p.doc_id: p.text for p in self._items if p.doc_id not in existing_docs}
        fingerprints = dict(zip(fresh, dedup.fingerprints(list(fresh.values())), strict=True))
        clusterer = _Clusterer(self.store, tx, fingerprints, self.threshold)
        docs: list[StoredDocument] = []
        sightings: list[KeyedSighting] = []
        new = near = duplicate = 0
        for p in self._items:
            if p.key in seen_keys:
                duplicate += 1  # this very item was ingested before
                continue
            seen_keys.add(p.key)
            sightings.append(KeyedSighting(p.key, _sighting(p, self.run_id, now)))
            if p.doc_id in existing_docs:
                duplicate += 1  # same text, seen elsewhere before: one more sighting
                continue
            existing_docs.add(p.doc_id)
            cluster_id = clusterer.assign(p.doc_id)
            fp = fingerprints[p.doc_id]
            docs.append(StoredDocument(self._marked(tx, _document(p, cluster_id, self.run_id, now), p.pending),
                                       fp.shingles, fp.signature, fp.band_keys))
            if cluster_id == p.doc_id:
                new += 1
            else:
                near += 1
        failed = sum(1 for i in self._issues if i.severity is Severity.ERROR)
        counts = BatchCounts(new, duplicate, near, failed, len(self._issues) - failed)
        return Batch(self.run_id, now, tuple(docs), tuple(sightings), tuple(self._issues), tuple(self._validators),
                     counts)


    def _marked(self, tx: Any, doc: Document, pending: Pending) -> Document:
        """The document with its item's own marking applied (unchanged when the item carries none)."""
        c = item_compartment(pending, self.actor)
        if c is None:
            return doc
        return replace(doc, marking=c.marking.value, compartment_id=self.store.compartment_id(tx, c))


def item_compartment(pending: Pending, actor: str) -> Compartment | None:
    """The compartment of an item that carries its own marking: the strictest of its source's and the item's
    (owned by the source's team; a TLP:RED item names the source's recipients, else the ingesting ``actor``). A
    marking that cannot be read is taken as TLP:RED (closed, never open). None: the item carries no marking."""
    value = dict(pending.raw.meta).get(MARKING_META)
    if value is None:
        return None
    source = pending.source.compartment if pending.source else Compartment()
    try:
        marking = Marking.parse(value)
    except ForewarnError:
        marking = Marking.RED
    named = source.recipients if marking is not Marking.RED or source.recipients else (actor,)
    own = Compartment.of(marking, source.teams, () if marking is Marking.AMBER_STRICT else named)
    return strictest([source, own])


class _Clusterer:
    """Finds, for each new document, the closest earlier near-duplicate."""

    def __init__(self, store: IngestStore, tx: Any, fingerprints: dict[str, dedup.Fingerprint],
                 threshold: float) -> None:
        self.fingerprints = fingerprints
        self.threshold = threshold
        found = store.candidates(tx, {k for fp in fingerprints.values() for k in fp.band_keys})
        self.bands = found.bands
        self.known = {doc_id: _Known(*row) for doc_id, row in found.known.items()}

    def assign(self, doc_id: str) -> str:
        fp = self.fingerprints[doc_id]
        cluster_id = self._best_match(fp) or doc_id
        self.known[doc_id] = _Known(fp.signature, fp.shingles, cluster_id)
        for key in fp.band_keys:
            self.bands.setdefault(key, []).append(doc_id)
        return cluster_id

    def _best_match(self, fp: dedup.Fingerprint) -> str | None:
        """The cluster of the most overlapping near-duplicate among the candidates that share the
        most LSH bands with ``fp`` (more shared bands, higher similarity), or None."""
        shared = Counter(d for key in fp.band_keys for d in self.bands.get(key, ()))
        if not shared:
            return None
        candidates = sorted(shared, key=lambda d: (-shared[d], d))[: dedup.MAX_CANDIDATES]
        known = [self.known[c] for c in candidates]
        sigs = np.frombuffer(b"".join(k.signature for k in known), dtype="<u4").reshape(len(known), -1)
        jac, ovl = dedup.overlaps(fp.signature, fp.shingles, sigs, np.array([k.shingles for k in known]))
        ok = [i for i in range(len(known)) if dedup.is_near_duplicate(jac[i], ovl[i], self.threshold)]
        if not ok:
            return None
        best = max(ok, key=lambda i: (ovl[i], jac[i], -i))
        return known[best].cluster_id


def _document(p: _Prepared, cluster_id: str, run_id: int, now: datetime) -> Document:
    raw, source = p.pending.raw, p.pending.source
    return Document(
        id=p.doc_id, text=p.text, title=raw.title, url=raw.url, source_id=source.id if source else None,
        published_at=raw.published_at, published_precision=raw.published_precision, ingested_at=now,
        language=document_language(raw.language, p.text), marking=(source.marking if source else Marking.CLEAR).value,
        team=source.team if source else None, cluster_id=cluster_id, reader=raw.reader, location=raw.location,
        item=raw.item, raw_sha256=raw.raw_sha256, run_id=run_id, meta=raw.meta,
        compartment_id=source.compartment_id if source else None,
    )


def _sighting(p: _Prepared, run_id: int, now: datetime) -> Sighting:
    raw, source = p.pending.raw, p.pending.source
    return Sighting(document_id=p.doc_id, source_id=source.id if source else None, location=raw.location,
                    item=raw.item, url=raw.url, published_at=raw.published_at, raw_sha256=raw.raw_sha256,
                    run_id=run_id, seen_at=now)
