# One command to set up and start the app, one to set up and run the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP     := $(VENV)/.installed-dev

.PHONY: setup run test test-slow test-all lint bench package locks screenshot screenshot-themes translations clean

# The locks pin every package with its hashes (requirements/compile.sh makes them from pyproject.toml).
$(RUNTIME_STAMP): requirements/runtime.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/runtime.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(RUNTIME_STAMP)

$(DEV_STAMP): $(RUNTIME_STAMP) requirements/dev.lock
	$(BIN)/python -m pip install -q -r requirements/dev.lock
	touch $(DEV_STAMP)

setup: $(DEV_STAMP)

run: $(RUNTIME_STAMP)
	$(BIN)/catalog-curator gui

# Every view in both themes and the German catalog view, at 1366×768, into docs/screenshots (CATALOG=an indexed catalog)
VIEWS := catalog loupe search review queue duplicates models health analytics
screenshot-themes:
	for theme in light dark; do for view in $(VIEWS); do \
		$(BIN)/catalog-curator gui --catalog $(CATALOG) --size 1366x768 --view $$view --theme $$theme \
			--screenshot docs/screenshots/$${theme}_$$view.png || exit 1; done; done
	$(BIN)/catalog-curator gui --catalog $(CATALOG) --size 1366x768 --view catalog --theme light --lang de \
		--screenshot docs/screenshots/de_catalog.png

# Qt translation files: lupdate collects every tr()/translate() source of app/ into the .ts files (German,
# and English for its plural forms); write the translations there, then lrelease compiles the .qm the app loads.
translations:
	$(BIN)/pyside6-lupdate $$(find app -name '*.py' | sort) -no-obsolete -target-language de_DE \
		-ts resources/i18n/catalog_curator_de.ts
	$(BIN)/pyside6-lupdate $$(find app -name '*.py' | sort) -no-obsolete -pluralonly -target-language en_GB \
		-ts resources/i18n/catalog_curator_en.ts
	$(BIN)/pyside6-lrelease resources/i18n/catalog_curator_de.ts resources/i18n/catalog_curator_en.ts

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# `make test`: lint, the import contracts and every test not marked slow, with coverage (minutes on 2 cores).
# `make test-slow`: the slow ones (real training runs, multi-process and soak tests); CI runs both.
test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow" --cov --cov-report=term $(PYTEST_ARGS)

test-slow: $(DEV_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

test-all: test test-slow

bench: setup
	$(BIN)/python bench/index_vs_rclip.py --json
	$(BIN)/python bench/search_latency.py --sizes 10000,100000,1000000 --json
	$(BIN)/python bench/gui_responsiveness.py --json
	$(BIN)/python bench/drift_accuracy.py --json
	$(BIN)/python bench/label_heads.py --json

package: $(RUNTIME_STAMP)
	packaging/build.sh

locks:
	requirements/compile.sh

clean:
	rm -rf $(VENV) build dist .pytest_cache .coverage
