# Stages: ingest -> nlp -> review (annotations merge) -> link -> export; `make extract` runs them all.
# Every target bootstraps the virtual environment it needs on first use.
CORPUS      ?= corpus
OUT         ?= output
ANNOTATIONS ?= annotations
JOBS        ?= auto
SCHEDULER   ?=
FORMAT      ?= jsonl
PYTHON      ?= python3
VENV        ?= .venv

PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CLI    := $(PY) -m pipeline
SRC    := $(shell find pipeline -type f \( -name '*.py' -o -name '*.yml' -o -name '*.jsonl' -o -name '*.json' \) 2>/dev/null)
# CORPUS is a folder (of .txt/.html/.htm pages, or of .parquet files) or one .jsonl / .parquet file.
# What Make compares instead of the corpus and annotation files themselves: a
# listing (path, size, mtime) rewritten only when it changes. File names with
# spaces or any letters are fine this way ($(wildcard) would split them).
CORPUS_STATE := $(OUT)/.corpus.state
ANNS_STATE   := $(OUT)/.annotations.state
CORPUS_FILES := -name '*.txt' -o -name '*.html' -o -name '*.htm' -o -name '*.parquet' -o -name '*.jsonl' -o -name manifest.yaml
list_state    = mkdir -p '$(OUT)' && { find '$(1)' -maxdepth 1 -type f \( $(2) \) -printf '%p\t%s\t%T@\n' 2>/dev/null \
                | LC_ALL=C sort > '$(3).new'; } && { cmp -s '$(3).new' '$(3)' && rm -f '$(3).new' || mv -f '$(3).new' '$(3)'; }
REPORT_TEMPLATES := $(wildcard pipeline/export/templates/*)

.PHONY: FORCE extract ingest nlp review link export report eval test bench bench-dask bench-html bench-quantities bench-link bench-report bench-long bench-sources fetch install lock currencies clean browser

extract: $(OUT)/claims.jsonl  ## the main job: corpus -> links.jsonl, claims.jsonl, claims.csv, report.html

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check --upgrade pip
	@echo "installing the package and its pinned dependencies into $(VENV) (first run only)"
	@$(VENV)/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

$(CORPUS_STATE): FORCE
	@$(call list_state,$(CORPUS),$(CORPUS_FILES),$@)

$(ANNS_STATE): FORCE
	@$(call list_state,$(ANNOTATIONS),-name '*.yaml',$@)

ingest: $(OUT)/documents.jsonl
$(OUT)/documents.jsonl: $(STAMP) $(CORPUS_STATE) $(SRC)
	$(CLI) ingest --corpus '$(CORPUS)' --out '$(OUT)'

nlp: $(OUT)/machine_claims.jsonl
$(OUT)/machine_claims.jsonl: $(OUT)/documents.jsonl $(SRC)
	$(CLI) nlp --corpus '$(CORPUS)' --out '$(OUT)' --jobs $(JOBS) --format $(FORMAT) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

# review rewrites the annotation files, link and export read them: review,
# link and export share one recipe, and the annotations' listing is taken again
# right after review, so the files review wrote never look newer than the links
# and claims they produced. link and export then run in one process, reading
# documents and annotation files once (pipeline/workspace.py); export runs after
# link because claims.csv carries each claim's link_id. The claims.jsonl rule
# below reruns export alone when only its own inputs (report templates) changed.
review: $(OUT)/links.jsonl
link: $(OUT)/links.jsonl
$(OUT)/links.jsonl: $(OUT)/machine_claims.jsonl $(ANNS_STATE) $(SRC)
	$(CLI) review --corpus '$(CORPUS)' --out '$(OUT)' --annotations '$(ANNOTATIONS)'
	@$(call list_state,$(ANNOTATIONS),-name '*.yaml',$(ANNS_STATE))
	$(CLI) link export --corpus '$(CORPUS)' --out '$(OUT)' --annotations '$(ANNOTATIONS)'

export: $(OUT)/claims.jsonl
# The links recipe above already ran export (same process as link). Make remakes this target
# whenever links.jsonl was remade, so export runs here only if an input is newer than claims.jsonl
# (a template edited, or the target asked for alone).
$(OUT)/claims.jsonl: $(OUT)/links.jsonl $(ANNS_STATE) $(SRC) $(REPORT_TEMPLATES)
	@if [ ! -e '$@' ] || [ -n "$$(find $(SRC) $(REPORT_TEMPLATES) '$(OUT)/links.jsonl' '$(ANNS_STATE)' -newer '$@' 2>/dev/null | head -n 1)" ]; then \
	  echo "$(CLI) export --corpus '$(CORPUS)' --out '$(OUT)' --annotations '$(ANNOTATIONS)'"; \
	  $(CLI) export --corpus '$(CORPUS)' --out '$(OUT)' --annotations '$(ANNOTATIONS)'; \
	fi

eval: $(OUT)/machine_claims.jsonl
	$(CLI) eval --corpus '$(CORPUS)' --out '$(OUT)' --annotations '$(ANNOTATIONS)'

test: $(STAMP) browser
	$(PY) -m pytest

# The report test drives a real headless Chromium (Debian packages). Installed
# when missing and possible; without it that one test is skipped, saying why.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || \
	{ echo "installing Chromium for the report test (Debian packages chromium, chromium-driver)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null 2>&1 \
	  || echo "could not install Chromium: the browser test will be skipped"; }

bench: $(STAMP)
	$(PY) bench/speed.py
	$(PY) bench/html_ingest.py

bench-html: $(STAMP)  ## HTML ingest pages/s on one core (ROUNDS=10)
	$(PY) bench/html_ingest.py

# The only target that uses the network: URLS is a file of URLs, one per line.
fetch: $(STAMP)  ## download web pages into CORPUS as raw HTML (+ CORPUS/fetched.jsonl)
	@test -n "$(URLS)" || { echo "usage: make fetch URLS=urls.txt CORPUS=folder [DELAY=2]" >&2; exit 2; }
	$(CLI) fetch --urls $(URLS) --corpus $(CORPUS) $(if $(DELAY),--delay $(DELAY))

bench-dask: $(STAMP)
	$(PY) bench/dask_speed.py

bench-quantities: $(STAMP)
	$(PY) bench/quantities.py

# One long prose document (LONG_MB, default 20) through the stages of make extract, one process each; seconds and peak memory per stage.
bench-long: $(STAMP)
	$(PY) bench/long_document.py
bench-link: $(STAMP)  ## link 100,000 synthetic claims (target < 30 s), then score the three link test corpora
	$(PY) bench/link_speed.py
	$(PY) bench/link_accuracy.py
# The report for 100,000 synthetic claims: index and page sizes, build time (about a minute).
bench-report: $(STAMP)
	$(PY) bench/report_speed.py

bench-sources: $(STAMP)  ## attribution against GUM's gold speakers (tune and held-out halves)
	$(PY) bench/sources.py

currencies: $(STAMP)  ## rewrite pipeline/nlp/currencies.json from the installed babel (after a babel upgrade)
	$(PY) -c "from pipeline.nlp.currencies import write_snapshot; print('wrote', write_snapshot())"

lock: $(STAMP)  ## refresh constraints.txt from the current environment
	{ echo "# Pinned versions for reproducible installs (pip install -c constraints.txt -e .[dev])."; \
	  echo "# Regenerate: make lock"; $(VENV)/bin/pip freeze --exclude-editable | sed '/^-e /d'; } > constraints.txt

clean:
	rm -rf $(OUT)
