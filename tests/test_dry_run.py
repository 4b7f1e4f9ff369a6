"""Every artefact notebook takes the `paper` path in a dry run (synthetic data, two training steps) and writes
files marked as a dry run; and the `paper` profile stops at once, with the way on, on a machine without CUDA."""
import json
import re
import time
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = sorted(p.stem for p in (ROOT / "nbs").glob("*.ipynb") if re.fullmatch(r"[a-z][a-z0-9]*_[a-z0-9_]+", p.stem))


def test_artefact_notebooks_are_found():
    assert {"kruengkrai_table2", "kruengkrai_table3", "prokhorov_figure1", "collapse_diagnostics"} <= set(ARTEFACTS), ARTEFACTS


@pytest.mark.slow
@pytest.mark.parametrize("name", ARTEFACTS)
def test_dry_run_writes_files_marked_as_dry_run(dry_run, name):
    out = dry_run(name)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["dry_run"] is True
    results = pd.read_csv(out / "results.csv")
    assert len(results) > 0 and results["dry_run"].eq(True).all()
    if "profile" in results:                                   # the paper path, not a smaller profile
        assert set(results["profile"]) == {"paper"}, set(results["profile"])


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason="the paper profile would start for real on a GPU")
@pytest.mark.parametrize("name", ARTEFACTS)
def test_paper_profile_without_cuda_stops_at_once(run_notebook, tmp_path, name):
    t0 = time.perf_counter()
    with pytest.raises(pm.PapermillExecutionError) as e:
        run_notebook(name, tmp_path, profile="paper")          # device stays 'auto'
    message = str(e.value)
    assert "-p profile cpu" in message and "-p profile smoke" in message and "-p device cpu" in message, message
    cost = re.search(r"has no CUDA device\. (.+?) To run here", message)
    assert cost and len(cost.group(1)) > 20, message          # what the run would cost, from the paper module
    assert not (tmp_path / "runs").exists() and not (tmp_path / name).exists()   # nothing trained, nothing written
    assert time.perf_counter() - t0 < 120
