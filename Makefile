# Two entry points (README quick start): `make smoke` and `make test`. Both set up .venv first.
PY      := .venv/bin/python
VENV_OK := .venv/.installed
# Where the real corpora are (only `cpu` runs, the benchmark and some tests read them).
DATA    ?= $(abspath $(or $(VAEPAPERS_DATA),../shared/data))

.PHONY: setup smoke test check nbtest pytest cpu bench readme

$(VENV_OK): requirements.txt pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(VENV_OK)

# Jupyter run from .venv cleans a notebook before saving it, as `make check` does, so opening and autosaving a
# notebook never puts it out of sync. The venv's own config folder: ~/.jupyter is left alone.
JUPYTER_CFG := .venv/etc/jupyter/jupyter_server_config.py
$(JUPYTER_CFG): scripts/jupyter_server_config.py $(VENV_OK)
	mkdir -p $(dir $@)
	cp $< $@

setup: $(VENV_OK) $(JUPYTER_CFG)

# The main job on the embedded default: Kruengkrai Table 2 on the toy corpus (offline, CPU, ~30 s on 2 cores).
smoke: setup
	mkdir -p out
	$(PY) -m papermill nbs/kruengkrai_table2.ipynb out/kruengkrai_table2_smoke.ipynb -p profile smoke \
	  -p out_dir out/kruengkrai_table2/smoke -p runs_dir out/runs --cwd . -k python3
	@echo "results: out/kruengkrai_table2/smoke/ (results.csv, meta.json, kruengkrai_table2.png)"

# The whole test suite: notebooks clean and in sync with vaepapers/, library notebook tests, pytest.
test: setup check nbtest pytest

check:
	$(PY) scripts/check_sync.py

# Artefact notebooks (`<paper>_table<N>`, `<paper>_figure<N>`, `collapse_diagnostics`: a name of words joined by `_`)
# train models: papermill runs them (`smoke`, `cpu`), nbdev_test does not. Library notebooks (`NN_*`) and index are
# tested; `_*`/`.*` stay skipped as nbdev's default.
NBTEST_SKIP := ^[_.]|^[a-z][a-z0-9]*_[a-z0-9_]+\.ipynb$$

# Tests that read the real corpora find them through VAEPAPERS_DATA (default: ../shared/data beside the checkout,
# the one place that path is written); they are skipped where it holds no corpora.
nbtest:
	VAEPAPERS_DATA=$(DATA) .venv/bin/nbdev_test --n_workers 2 --skip_file_re '$(NBTEST_SKIP)'

pytest:
	VAEPAPERS_DATA=$(DATA) $(PY) -m pytest -q

# Kruengkrai Table 2 at the `cpu` profile on real PTB (set VAEPAPERS_DATA or pass DATA=...), ~30 min.
cpu: setup
	mkdir -p out
	$(PY) -m papermill nbs/kruengkrai_table2.ipynb out/kruengkrai_table2_cpu.ipynb -p profile cpu \
	  -p data_dir $(DATA) -p out_dir out/kruengkrai_table2/cpu -p runs_dir out/runs --cwd . -k python3

bench: setup
	$(PY) scripts/benchmark.py --data-dir $(DATA)

readme:
	$(PY) scripts/make_readme.py
