# Stages: ingest -> extract (NLP) -> review (annotations merge) -> export.
# Every target bootstraps the virtual environment it needs on first use.
CORPUS      ?= corpus
OUT         ?= output
ANNOTATIONS ?= annotations
JOBS        ?= auto
PYTHON      ?= python3
VENV        ?= .venv

PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CLI    := $(PY) -m pipeline
SRC    := $(shell find pipeline -type f \( -name '*.py' -o -name '*.yml' -o -name '*.jsonl' -o -name '*.json' \) 2>/dev/null)
# What Make compares instead of the corpus and annotation files themselves: a
# listing (name, size, mtime) rewritten only when it changes. File names with
# spaces or any letters are fine this way ($(wildcard) would split them).
CORPUS_STATE := $(OUT)/.corpus.state
ANNS_STATE   := $(OUT)/.annotations.state
list_state    = mkdir -p '$(OUT)' && { find '$(1)' -maxdepth 1 -type f \( $(2) \) -printf '%P\t%s\t%T@\n' 2>/dev/null \
                | LC_ALL=C sort > '$(3).new'; } && { cmp -s '$(3).new' '$(3)' && rm -f '$(3).new' || mv -f '$(3).new' '$(3)'; }

.PHONY: FORCE extract ingest nlp review export report eval test bench bench-quantities bench-long install lock clean browser

extract: $(OUT)/claims.jsonl  ## the main job: corpus -> claims.jsonl, claims.csv, report.html

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check --upgrade pip
	@echo "installing the package and its pinned dependencies into $(VENV) (first run only)"
	@$(VENV)/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

$(CORPUS_STATE): FORCE
	@$(call list_state,$(CORPUS),-name '*.txt' -o -name manifest.yaml,$@)

$(ANNS_STATE): FORCE
	@$(call list_state,$(ANNOTATIONS),-name '*.yaml',$@)

ingest: $(OUT)/documents.jsonl
$(OUT)/documents.jsonl: $(STAMP) $(CORPUS_STATE) $(SRC)
	$(CLI) ingest --corpus '$(CORPUS)' --out '$(OUT)'

nlp: $(OUT)/machine_claims.jsonl
$(OUT)/machine_claims.jsonl: $(OUT)/documents.jsonl $(SRC)
	$(CLI) nlp --corpus '$(CORPUS)' --out '$(OUT)' --jobs $(JOBS)

# review rewrites the annotation files, export reads them: one recipe, and the
# annotations' listing taken again between the two, so the files review wrote
# never look newer than the output they produced.
review: $(OUT)/claims.jsonl
export: $(OUT)/claims.jsonl
$(OUT)/claims.jsonl: $(OUT)/machine_claims.jsonl $(ANNS_STATE) $(SRC)
	$(CLI) review --corpus '$(CORPUS)' --out '$(OUT)' --annotations '$(ANNOTATIONS)'
	@$(call list_state,$(ANNOTATIONS),-name '*.yaml',$(ANNS_STATE))
	$(CLI) export --corpus '$(CORPUS)' --out '$(OUT)' --annotations '$(ANNOTATIONS)'

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

bench-quantities: $(STAMP)
	$(PY) bench/quantities.py

# One long prose document (LONG_MB, default 20) through ingest + nlp + review + export; peak memory.
bench-long: $(STAMP)
	$(PY) bench/long_document.py

lock: $(STAMP)  ## refresh constraints.txt from the current environment
	{ echo "# Pinned versions for reproducible installs (pip install -c constraints.txt -e .[dev])."; \
	  echo "# Regenerate: make lock"; $(VENV)/bin/pip freeze --exclude-editable | sed '/^-e /d'; } > constraints.txt

clean:
	rm -rf $(OUT)
