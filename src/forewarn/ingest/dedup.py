"""Near-duplicate detection: MinHash signatures over word 4-grams, LSH banding to find
candidates, and a check on estimated overlap to confirm them.

Why overlap rather than plain Jaccard: a re-post that is truncated, or carries extra boilerplate,
shares most of the shorter text with the original but not most of the union. We estimate the
Jaccard similarity J from the signatures, recover the intersection from J and the two shingle
counts (|A∩B| = J(|A|+|B|)/(1+J)), and compare it with the smaller set (overlap coefficient).
A floor on J keeps a short excerpt of a long article (little evidence either way) out.

MinHash is computed by rensa (Rust): measured ~80x faster than datasketch on the press corpus
(0.01 ms vs 0.78 ms per document with 128 permutations), which is what makes the ingest target
reachable on one core.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from rensa import RMinHash

NUM_PERM = 128
BANDS = 32  # 32 bands of 4 rows: candidate probability 0.5 at J≈0.42, 0.87 at J=0.5, ~1 at J≥0.65
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 4
SEED = 20240806
MIN_JACCARD = 0.3

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    signature: bytes  # NUM_PERM little-endian uint32
    shingles: int  # number of distinct shingles
    band_keys: tuple[int, ...]  # BANDS signed 64-bit keys


def shingle(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def fingerprint(text: str) -> Fingerprint:
    grams = shingle(text)
    mh = RMinHash(num_perm=NUM_PERM, seed=SEED)
    mh.update(list(grams))
    sig = np.asarray(mh.digest(), dtype="<u4")
    return Fingerprint(sig.tobytes(), len(grams), band_keys(sig))


def band_keys(sig: np.ndarray) -> tuple[int, ...]:
    rows = sig.reshape(BANDS, ROWS)
    keys = []
    for band, values in enumerate(rows):
        digest = hashlib.blake2b(values.tobytes(), digest_size=8, person=band.to_bytes(2, "little")).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return tuple(keys)


def overlap(sig_a: bytes, n_a: int, sig_b: bytes, n_b: int) -> tuple[float, float]:
    """Estimated (Jaccard, overlap coefficient) of two fingerprints."""
    a = np.frombuffer(sig_a, dtype="<u4")
    b = np.frombuffer(sig_b, dtype="<u4")
    jaccard = float(np.count_nonzero(a == b)) / NUM_PERM
    smaller = min(n_a, n_b)
    if smaller == 0:
        return jaccard, 0.0
    inter = jaccard * (n_a + n_b) / (1.0 + jaccard)
    return jaccard, min(1.0, inter / smaller)


def is_near_duplicate(jaccard: float, overlap_coefficient: float, threshold: float) -> bool:
    return jaccard >= MIN_JACCARD and overlap_coefficient >= threshold
