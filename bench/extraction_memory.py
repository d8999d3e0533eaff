"""Extraction of one very long document: peak memory and throughput, 10 MB against 1 MB.

The document: the press releases of ../shared/data/press_2021_2022 joined as paragraphs, round
after round (each round in a different order) until it reaches the size. The web accepts
documents up to 10 MB (``max_bytes``). Each size is extracted in a fresh child process (model
loading excluded from the timed part); peak RSS is that process's largest resident set, all of it
(interpreter, model, text, extraction).

  measured   the 10 MB document (``--mb``)
  baseline   the 1 MB document (``--baseline-mb``), same run, same code

Targets: peak RSS of the 10 MB extraction ≤ 1024 MB and about that of the 1 MB one (memory bounded
per document); characters/s of the 10 MB document ≥ 0.8 of the 1 MB one (time linear in size).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import press_rows

TARGET_PEAK_MB = 1024
TARGET_LINEAR = 0.8


def long_text(chars: int, seed: int = 2022) -> str:
    """At least ``chars`` characters of press-release prose, each round of releases shuffled."""
    bodies, rng, out, size = [r["body"].strip() for r in press_rows()], random.Random(seed), [], 0
    while size < chars:
        round_ = bodies[:]
        rng.shuffle(round_)
        for body in round_:
            out.append(body)
            size += len(body) + 2
            if size >= chars:
                break
    return "\n\n".join(out)


def child(mb: float) -> dict[str, float]:
    from forewarn.config import Settings
    from forewarn.nlp.extract import ExtractInput, Extractor
    from forewarn.nlp.pipeline import ExtractorConfig

    text = long_text(int(mb * 1_000_000))
    extractor = Extractor(ExtractorConfig.from_settings(Settings()))
    loaded_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    (result,) = extractor.extract([ExtractInput("long", text, date(2022, 6, 1))])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    events = len(getattr(result, "events", ()))
    return {"chars": len(text), "seconds": seconds, "cpu_s": cpu, "kchars_per_s": len(text) / 1e3 / seconds,
            "kchars_per_cpu_s": len(text) / 1e3 / cpu,
            "loaded_mb": loaded_kb / 1024, "peak_mb": peak_kb / 1024, "events": events}


def measure(mb: float) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(mb)], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--mb", type=float, default=10.0, help="size of the measured document, MB")
    parser.add_argument("--baseline-mb", type=float, default=1.0, help="size of the baseline document, MB")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    base, big = measure(args.baseline_mb), measure(args.mb)
    print(f"one document of {big['chars']:,} characters ({big['events']:.0f} events, {big['seconds']:.0f} s) "
          f"against one of {base['chars']:,} ({base['events']:.0f} events, {base['seconds']:.0f} s)")
    print(f"{'figure':34} {'measured':>10} {'baseline':>10} {'ratio':>7}")
    rows = [(f"peak RSS MB, {args.mb:g} MB document", big["peak_mb"], base["peak_mb"]),
            ("thousand characters/s (wall)", big["kchars_per_s"], base["kchars_per_s"]),
            ("thousand characters/s (CPU time)", big["kchars_per_cpu_s"], base["kchars_per_cpu_s"])]
    for label, measured, baseline in rows:
        print(f"{label:34} {measured:10.1f} {baseline:10.1f} {measured / baseline:7.2f}")
    print(f"\npipeline loaded, before extraction: {big['loaded_mb']:.0f} MB resident")
    print(f"targets: peak ≤ {TARGET_PEAK_MB} MB (measured {big['peak_mb']:.0f}); "
          f"characters/s ratio ≥ {TARGET_LINEAR} (time linear in size)")


if __name__ == "__main__":
    main()
