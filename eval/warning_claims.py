"""Warning claims: do warnings and claims about others' intentions come out as attributed claims
with the right speaker, stance and claimed actor, and never as the speaker's own aggression?

eval/data/warning_claims.jsonl: 149 real-style sentences written for this purpose (headlines and wire
sentences of warnings, fears, intelligence claims, accusations, denials, assurances and threats), each
labelled with the speaker (ISO alpha-3 country, or the id of an international body such as ``nato``;
null where nobody is named), the stance (warn, deny, accuse, threat, assure) and the claimed actor
(as the speaker). Labelled before the rules were tuned on them. Rows 109 on (``--rows 109:``) were
added in issue 13's second round and measured blind before the rules' second round looked at them.

The system's answer is the sentence's first claim with a stance or a claimed event (else its first
claim). Reported: the share of sentences whose speaker, stance and claimed actor are each right, all
three right (target >= 0.85), and "wrong aggressor": sentences where the speaker is not the claimed
actor but an asserted hostile event names the speaker as its actor.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from forewarn.config import load_settings
from forewarn.model.extraction import Claim, Entity, Extraction, Participant
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig

DATA = Path(__file__).resolve().parent / "data" / "warning_claims.jsonl"
HOSTILE = frozenset({"ASSAULT", "COERCE", "MOBILIZE", "THREATEN", "SANCTION"})


def side(participant: Participant | None) -> str | None:
    """A country code, an international body's id, or None."""
    return _side(participant.entity) if participant is not None else None


def _side(entity: Entity) -> str | None:
    if entity.country:
        return entity.country
    return entity.id.removeprefix("dict:") if entity.sector == "igo" else None


def answer(extraction: Extraction) -> Claim | None:
    useful = [c for c in extraction.claims if c.stance or c.claimed] or list(extraction.claims)
    return useful[0] if useful else None


def wrong_aggressor(extraction: Extraction, speaker: str | None, actor: str | None) -> bool:
    if speaker is None or speaker == actor:
        return False
    return any(e.type in HOSTILE and side(e.actor) == speaker and not e.flags.hypothetical and not e.flags.negated
               for e in extraction.events)


def _rows(value: str) -> slice:
    lo, _, hi = value.partition(":")
    return slice(int(lo) if lo else None, int(hi) if hi else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--show", action="store_true", help="print each sentence with a wrong field")
    parser.add_argument("--rows", type=_rows, default=slice(None), metavar="FROM:TO",
                        help="only these rows (0-based, Python slice): 109: is the set added in round 2")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line.strip()][args.rows]
    extractor = Extractor(ExtractorConfig.from_settings(load_settings()))
    results = extractor.extract(ExtractInput(str(i), r["text"], date(2022, 2, 1)) for i, r in enumerate(rows))
    right = {"speaker": 0, "stance": 0, "claimed_actor": 0, "all": 0, "wrong_aggressor": 0}
    for row, result in zip(rows, results, strict=True):
        extraction = result if isinstance(result, Extraction) else Extraction(row["text"], "")
        claim = answer(extraction)
        got = {"speaker": side(claim.speaker) if claim else None, "stance": claim.stance if claim else None,
               "claimed_actor": side(claim.claimed.actor) if claim and claim.claimed else None}
        ok = {k: got[k] == row[k] for k in got}
        for k, v in ok.items():
            right[k] += v
        right["all"] += all(ok.values())
        right["wrong_aggressor"] += wrong_aggressor(extraction, row["speaker"], row["claimed_actor"])
        if args.show and not all(ok.values()):
            print(f"{row['text']}\n   gold {[row[k] for k in got]}  got {list(got.values())}")
    n = len(rows)
    figures = {k: v / n for k, v in right.items()} | {"n": n, "extractor": extractor.version}
    print(f"{n} sentences: speaker {figures['speaker']:.3f}  stance {figures['stance']:.3f}  claimed actor "
          f"{figures['claimed_actor']:.3f}  all three {figures['all']:.3f} (target >= 0.85)  "
          f"wrong aggressor {right['wrong_aggressor']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
