# Two commands do everything: `make run` and `make test`. See README.md.
# The first Python 3.11+ that actually runs (pyenv shims exist for versions that are not active).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV   ?= .venv
BIN    := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint format migrate seed-demo reset-demo clean help rasa rasa-down nlu-eval bench load chaos

help:
	@echo "make run   - install, migrate, seed the demo shop, start the bot"
	@echo "make test  - install dev tools, then format check, lint, types, import contracts, tests"
	@echo "make format, make lint, make migrate, make seed-demo, make clean"
	@echo "make reset-demo (delete data/ and seed a fresh demo shop; stop the bot first)"
	@echo "make rasa (start the Rasa NLU server), make rasa-down, make nlu-eval"
	@echo "make bench (one table of figures vs in-run baselines), make load (60 s load test)"
	@echo "make chaos (the bot killed -9 12 times while 40 customers pay, then every claim checked)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed: install it, or run make PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); run: make PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/python -m bot migrate
	$(BIN)/python -m bot seed-demo
	$(BIN)/python -m bot run

migrate: $(RUN_STAMP)
	$(BIN)/python -m bot migrate

seed-demo: $(RUN_STAMP)
	$(BIN)/python -m bot seed-demo

# The default SQLite shop, its pictures and the sandbox's state all live in data/.
reset-demo: $(RUN_STAMP)
	rm -rf data
	$(BIN)/python -m bot migrate
	$(BIN)/python -m bot seed-demo

lint: $(DEV_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest

# The Rasa NLU server (Python 3.10 side environment in ~/.cache/marketplace-bot/rasa; the
# first run installs Rasa 3.6 and trains the model, a few minutes). See docs/nlu.md.
rasa:
	bash scripts/rasa/up.sh

rasa-down:
	bash scripts/rasa/down.sh

nlu-eval: $(RUN_STAMP)
	$(BIN)/python -m nlu evaluate
	$(BIN)/python -m nlu evaluate --backend rasa-only

# Figures beside baselines measured in the same run; see docs/performance.md.
bench: $(DEV_STAMP)
	$(BIN)/python -m bench

# 200 customers buying for 60 s while the emulator injects 10 % faults (CI runs it shorter).
load: $(DEV_STAMP)
	LOAD_SECONDS=60 $(BIN)/python -m pytest -m load tests/load -q

# The bot SIGKILLed 12 times while 40 customers pay by card (the normal suite runs 5 and 20).
chaos: $(DEV_STAMP)
	CHAOS_KILLS=12 CHAOS_CUSTOMERS=40 $(BIN)/python -m pytest -m chaos tests/chaos

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis .import_linter_cache

# The message catalogs (handlers/locales/<lang>/LC_MESSAGES/messages.po) are compiled in
# memory when the bot first speaks a language: `make run` and `make test` need no build step,
# and `make test` runs the same check as i18n-check. See handlers/locales/__init__.py.
.PHONY: i18n-check i18n-update i18n-new
i18n-check: $(RUN_STAMP)
	$(BIN)/python -m handlers.locales check

# After changing English: other catalogs get new keys to translate, and changed ones go fuzzy.
i18n-update: $(RUN_STAMP)
	$(BIN)/python -m handlers.locales update

# A new language to translate: make i18n-new CODE=de
i18n-new: $(RUN_STAMP)
	@test -n "$(CODE)" || { echo "Which language? make i18n-new CODE=de"; exit 1; }
	$(BIN)/python -m handlers.locales new $(CODE)
