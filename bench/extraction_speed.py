"""Extraction speed and memory on the press corpus, side by side with raw spaCy.

Documents: every 6th press release of ../shared/data/press_2021_2022 (about 300 releases,
1.2 M characters) unless --docs says otherwise. Each measurement runs in a fresh child process
(model loading excluded from the timed part, worker start-up included for 2 processes), three
times; the table shows medians.

  baseline   raw ``nlp.pipe`` of the same spaCy model, same documents, same batch size
  forewarn   the full extraction (entities, places, dates, events, claims), 1 process
  forewarn×2 the same over 2 worker processes (``extract_processes = 2``)

Targets: forewarn / baseline ≥ 0.80 (issue 13); forewarn×2 / forewarn ≥ 1.6. Peak memory is the largest
resident set of the measuring process; for ×2 that is the parent only (the workers fork from a
forkserver, outside its accounting), and each worker runs the same pipeline as the 1-process row.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import press_rows

MODES = ("baseline", "forewarn", "forewarn2")


def texts(step: int) -> list[str]:
    return [r["body"] for r in press_rows()[::step]]


def child(mode: str, step: int) -> dict[str, float]:
    from forewarn.config import Settings
    from forewarn.nlp.extract import ExtractInput, Extractor, extract_parallel
    from forewarn.nlp.pipeline import ExtractorConfig

    docs = texts(step)
    settings = Settings()
    inputs = [ExtractInput(str(i), t, date(2022, 1, 1)) for i, t in enumerate(docs)]
    if mode == "baseline":
        import spacy

        nlp = spacy.load(settings.spacy_model)
        start = time.perf_counter()
        n = sum(1 for _ in nlp.pipe(docs, batch_size=settings.extract_batch_size))
    elif mode == "forewarn":
        extractor = Extractor(ExtractorConfig.from_settings(settings))
        start = time.perf_counter()
        n = sum(1 for _ in extractor.extract(inputs))
    else:
        start = time.perf_counter()
        n = sum(1 for _ in extract_parallel(ExtractorConfig.from_settings(settings), inputs, 2))
    seconds = time.perf_counter() - start
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"docs": n, "chars": sum(map(len, docs)), "seconds": seconds, "docs_per_s": n / seconds,
            "peak_mb": max(self_kb, children_kb) / 1024}


def measure(mode: str, step: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--step", str(step)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", choices=MODES)
    parser.add_argument("--step", type=int, default=6, help="take every Nth press release")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.step)))
        return
    runs = {m: [measure(m, args.step) for _ in range(args.repeat)] for m in MODES}
    med = {m: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for m, rs in runs.items()}
    base, one, two = med["baseline"], med["forewarn"], med["forewarn2"]
    print(f"{int(base['docs'])} documents, {int(base['chars']):,} characters; medians of {args.repeat} runs")
    print(f"{'':12} {'docs/s':>8} {'peak MB':>8}  ratio")
    print(f"{'baseline':12} {base['docs_per_s']:8.2f} {base['peak_mb']:8.0f}")
    ratio, speedup = one["docs_per_s"] / base["docs_per_s"], two["docs_per_s"] / one["docs_per_s"]
    print(f"{'forewarn':12} {one['docs_per_s']:8.2f} {one['peak_mb']:8.0f}  {ratio:.2f} of baseline (target >= 0.80)")
    print(f"{'forewarn x2':12} {two['docs_per_s']:8.2f} {two['peak_mb']:8.0f}  {speedup:.2f} x one process "
          "(target >= 1.6; peak: the parent; each worker ~ the 1-process peak)")
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "medians": med}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
