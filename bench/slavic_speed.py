"""Throughput of the Russian (and Ukrainian) pipeline, side by side with raw slovnet and raw razdel.

Texts: the NEREL dev documents (../shared/data/ner_ru_nerel/dev, Russian news) when ../shared/data is
there; else generated Russian and Ukrainian sentences of our own (``--generated`` forces them). Tokens
are razdel's. One process, one BLAS thread; models loaded before the timed part; each row is the median of
``--repeat`` runs. tokens/s/core is tokens per second of this process's CPU time (robust on a shared
machine); wall-clock tokens/s is shown beside it.

  razdel      raw razdel tokenisation and sentence splitting
  slovnet     raw slovnet morphology + syntax + NER over razdel's sentences (the analysis' models)
  forewarn    the whole pipeline: ``build_pipeline(config, lang)`` (analysis and every forewarn component)

Target (issue 15): the Russian forewarn row ≥ 1,500 tokens/s/core. The Ukrainian rows are extra.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import razdel  # noqa: E402

from forewarn.config import Settings  # noqa: E402
from forewarn.nlp.pipeline import ExtractorConfig, build_pipeline, make_doc  # noqa: E402
from forewarn.nlp.slavic.analysis import models  # noqa: E402

NEREL_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ner_ru_nerel" / "dev"
TARGET = 1500.0
# Pieces of sentences of our own in the register of news and Telegram channels, combined at random.
_WORDS = {
    "ru": (["Губернатор Курской области", "Минобороны России", "Жители Суджи", "Пограничники", "ДРГ противника",
            "Военкоры", "Колонна техники"],
           ["сообщили о", "заявили о", "опровергли", "зафиксировали", "предупредили о"],
           ["обстреле приграничных сёл", "переброске бронетехники к границе", "эвакуации жителей",
            "сосредоточении войск у г. Суджа", "ударе беспилотника по подстанции"],
           ["в ночь на вторник", "6 августа", "накануне", "утром", "в Курской обл."]),
    "uk": (["Генштаб ЗСУ", "Голова Сумської ОВА", "Жителі Сум", "Прикордонники", "Військові"],
           ["повідомили про", "заявили про", "спростували", "зафіксували", "попередили про"],
           ["обстріл прикордонних сіл", "перекидання техніки до кордону", "евакуацію мешканців",
            "скупчення військ біля м. Суми", "удар дрона по підстанції"],
           ["у ніч на вівторок", "6 серпня", "напередодні", "вранці", "на Сумщині"]),
}


def generated(lang: str, n: int = 300, seed: int = 15) -> list[str]:
    """``n`` short posts of 2–6 sentences made of the pieces above (deterministic)."""
    rng = random.Random(seed)
    parts = _WORDS[lang]
    return [" ".join(" ".join(rng.choice(p) for p in parts) + "." for _ in range(rng.randint(2, 6)))
            for _ in range(n)]


def texts(lang: str, force_generated: bool) -> tuple[list[str], str]:
    if lang == "ru" and not force_generated and NEREL_DEV.is_dir():
        return [p.read_text(encoding="utf-8") for p in sorted(NEREL_DEV.glob("*.txt"))], "NEREL dev"
    return generated(lang), "generated"


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median CPU seconds and wall seconds of ``run`` over ``repeat`` runs."""
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        run()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall)


def rows(lang: str, docs: list[str], repeat: int) -> dict[str, tuple[float, float]]:
    loaded = models()
    nlp = build_pipeline(ExtractorConfig.from_settings(Settings()), lang)
    sentences = [[t.text for t in razdel.tokenize(s.text)] for d in docs for s in razdel.sentenize(d)]
    sentences = [s for s in sentences if s]
    texts_ = [" ".join(s) for s in sentences]

    def raw_razdel() -> None:
        for d in docs:
            list(razdel.tokenize(d))
            list(razdel.sentenize(d))

    def raw_slovnet() -> None:
        list(loaded.morph.map(sentences))
        list(loaded.syntax.map(sentences))
        list(loaded.ner.map(texts_))

    def whole() -> None:
        list(nlp.pipe(make_doc(nlp, d, date(2024, 8, 6)) for d in docs))

    whole()  # warm the caches (lemmas, parses) as a long-running process has them
    return {name: timed(run, repeat) for name, run in (("razdel", raw_razdel), ("slovnet", raw_slovnet),
                                                       ("forewarn", whole))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generated", action="store_true", help="use the generated texts even where NEREL is")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report: dict[str, dict[str, object]] = {}
    print(f"{'lang':<5}{'texts':<11}{'row':<10}{'tokens':>8}{'tok/s/core':>12}{'tok/s wall':>12}  ratio to slovnet")
    for lang in ("ru", "uk"):
        docs, source = texts(lang, args.generated)
        tokens = sum(1 for d in docs for _ in razdel.tokenize(d))
        measured = rows(lang, docs, args.repeat)
        slovnet_rate = tokens / measured["slovnet"][0]
        for name, (cpu, wall) in measured.items():
            rate = tokens / cpu
            note = f"{rate / slovnet_rate:.2f}" if name != "razdel" else ""
            if name == "forewarn" and lang == "ru":
                note += f"   target >= {TARGET:,.0f} tok/s/core: {'met' if rate >= TARGET else 'NOT met'}"
            print(f"{lang:<5}{source:<11}{name:<10}{tokens:>8}{rate:>12,.0f}{tokens / wall:>12,.0f}  {note}")
            report[f"{lang}/{name}"] = {"texts": source, "tokens": tokens, "cpu_s": cpu, "wall_s": wall,
                                        "tokens_per_cpu_s": rate}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
