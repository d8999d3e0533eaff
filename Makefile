# The README's two commands: `make demo` and `make test`. Each does all set-up on a fresh
# Debian machine with Python 3.11 (creates .venv, installs; `test` also starts PostgreSQL).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
VENDOR := src/forewarn/web/static/vendor/versions.json
# the suite on both cores (pytest-xdist), each test file on one worker (its module fixtures built once)
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: install demo test lint bench eval eval-streams model postgres postgres-stop docs clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends python3.11-venv; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The map's assets (Leaflet, its cluster plugin, Natural Earth borders) come from the npm registry, pinned by
# package-lock.json, copied where the workbench serves them (scripts/vendor_assets.sh).
$(VENDOR): package-lock.json scripts/vendor_assets.sh scripts/admin1.py
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends npm; }
	bash scripts/vendor_assets.sh

install: $(STAMP) $(VENDOR)

demo: install
	$(BIN)/forewarn demo --serve

test: install
	bash scripts/chromium.sh
	FOREWARN_TEST_CHROMIUM=/usr/bin/chromium bash scripts/postgres.sh run FOREWARN_TEST_PG_URL \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench eval scripts
	$(BIN)/mypy

bench: install
	FOREWARN_BENCH_PG_URL="$$(bash scripts/postgres.sh)" $(BIN)/python bench/ingest_throughput.py
	$(BIN)/python bench/ingest_memory.py
	$(BIN)/python bench/ingest_throughput.py --part ingest --mode replicas --repeat 1
	$(BIN)/python bench/observations_throughput.py
	$(BIN)/python bench/extraction_speed.py
	$(BIN)/python bench/extraction_memory.py
	FOREWARN_BENCH_PG_URL="$$(bash scripts/postgres.sh)" $(BIN)/python bench/ledger_speed.py
	$(BIN)/python bench/replay_speed.py
	FOREWARN_BENCH_PG_URL="$$(bash scripts/postgres.sh)" $(BIN)/python bench/watch_latency.py
	bash scripts/chromium.sh
	FOREWARN_BENCH_PG_URL="$$(bash scripts/postgres.sh)" $(BIN)/python bench/web_pages.py --backend both
	$(BIN)/python bench/web_weight.py
	$(BIN)/python bench/scores_page.py
	$(BIN)/python bench/slavic_speed.py
	FOREWARN_BENCH_PG_URL="$$(bash scripts/postgres.sh)" $(BIN)/python bench/markings_pages.py --backend both
	$(BIN)/python bench/deconfliction_exchange.py
	$(BIN)/python bench/export_stream.py  # export-bench: 1 M events per format, events/s and peak RSS
	$(BIN)/python bench/backfill_scaling.py  # issue 20: Dask backfill, 2 local workers against one process
	FOREWARN_BENCH_PG_URL="$$(bash scripts/postgres.sh)" $(BIN)/python bench/web_pages.py --backend postgresql --events 10000000
	FOREWARN_BENCH_PG_URL="$$(bash scripts/postgres.sh)" $(BIN)/python bench/review_at_size.py --repeat 3 --no-warm  # the cached 10 M store: the first runs, which test every day, take minutes

eval: install
	$(BIN)/python eval/near_duplicates.py
	$(BIN)/python eval/event_types.py
	$(BIN)/python eval/sightings.py
	$(BIN)/python eval/no_event.py
	$(BIN)/python eval/news_sample.py
	$(BIN)/python eval/headlines.py
	$(BIN)/python eval/warning_claims.py
	$(BIN)/python eval/geoparse.py
	$(BIN)/python eval/geoparse.py --focus UKR,RUS,BLR,MDA
	$(BIN)/python eval/dates.py
	$(BIN)/python eval/backtest.py
	$(BIN)/python eval/ablation.py
	$(BIN)/python eval/language_id.py
	$(BIN)/python eval/ner_ru.py
	$(BIN)/python eval/ner_uk.py
	$(BIN)/python eval/places_slavic.py
	$(BIN)/python eval/dates_slavic.py
	$(BIN)/python eval/events_parallel.py
	$(BIN)/python eval/search_inflection.py
	$(BIN)/python eval/demo_languages.py
	$(BIN)/python eval/judgment_simulation.py --check 1000
	$(BIN)/python eval/deconfliction.py

# The long backtests: every default scenario daily over the real news streams of ../shared/data (news_2023_mayjun,
# news_2024_feeds). Not part of `make eval`: the first build of the 2023 stream's cached workspace (93,385 items
# ingested and extracted) takes many minutes; `make eval` plays the press corpus only (eval/backtest.py).
eval-streams: install
	$(BIN)/python eval/backtest_streams.py

# Rebuilds the packaged event-type model (src/forewarn/data/nlp/events-2.npz; fixed seed) from ../shared/data.
model: install
	$(BIN)/python eval/train_event_model.py

docs: install
	$(BIN)/python scripts/gen_docs.py

postgres:
	bash scripts/postgres.sh

postgres-stop:
	bash scripts/postgres.sh stop

clean:
	rm -rf $(VENV) build *.egg-info
