"""Issue 11: DELLA's Tables 1 and 8 run end to end under `smoke` through papermill, as a user runs them: every row is
trained and evaluated (finite IW-PPL, ELBO = Rec + KL for the latent rows, the GPT-2 row without latent columns),
samples are generated for every row, the files are written and labelled with the profile; Table 8 reuses the
backbone and the runs Table 1 left in the shared `runs_dir` (both on the toy corpus under `smoke`)."""
import json
import math
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from vaepapers.papers.della import PROFILES, ROWS, backbone_dir

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("VAEPAPERS_DATA") or ROOT.parent / "shared" / "data")
if not (DATA / "gpt2_tokenizer").is_dir():
    pytest.skip(f"the GPT-2 BPE files are not at {DATA / 'gpt2_tokenizer'} (set VAEPAPERS_DATA)", allow_module_level=True)
pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def table1(run_notebook, shared):
    t0 = time.perf_counter()
    out = run_notebook("della_table1", shared, data_dir=str(DATA))
    return out, time.perf_counter() - t0


def check_results(out: Path, name: str) -> pd.DataFrame:
    res = pd.read_csv(out / "results.csv")
    assert res.model.tolist() == list(ROWS) and (res.dataset == "toy").all()
    assert (res.profile == "smoke").all() and (res.variant == "paper").all()
    assert res.ppl_iw.map(math.isfinite).all() and (res.ppl_iw > 1).all()
    latent = res[res.model != "GPT-2"]
    assert latent[["elbo", "kl", "kl_sum", "mi", "au", "nll"]].map(math.isfinite).all().all()
    assert ((latent.elbo - (latent.rec + latent.kl)).abs() < 1e-6).all()          # variant 'paper': KL summed
    assert ((latent.nll - (latent.rec + latent.kl_sum)).abs() < 1e-6).all()
    lm = res[res.model == "GPT-2"].iloc[0]
    assert math.isnan(lm.elbo) and math.isnan(lm.kl)
    assert (res.decoding == ["top-50"] * 4 + [f"beam {PROFILES['smoke'].beam}"]).all()
    assert (res.n_samples == PROFILES["smoke"].n_samples).all() and res.self_bleu.map(math.isfinite).all()
    samples = pd.read_csv(out / "samples.csv", keep_default_na=False)
    assert (samples.groupby("model").size() == PROFILES["smoke"].n_samples).all()
    meta = json.loads((out / "meta.json").read_text())
    assert meta["params"]["profile"] == "smoke" and meta["dry_run"] is False and "samples.csv" in meta["tables_sha256"]
    assert (out / f"{name}.png").stat().st_size > 10_000
    return res


def test_table1_smoke(table1, shared):
    out, secs = table1
    res = check_results(out, "della_table1")
    assert (res.epochs_trained == PROFILES["smoke"].epochs).all()
    assert (backbone_dir(shared / "runs", PROFILES["smoke"]) / "config.json").is_file()   # a HF checkpoint folder
    assert secs < 120, f"della_table1 took {secs:.0f}s under smoke"


def test_table8_smoke_reuses_table1(table1, run_notebook, shared, checkpoints):
    before = checkpoints(shared / "runs" / "della")
    out = run_notebook("della_table8", shared, data_dir=str(DATA))
    check_results(out, "della_table8")
    assert len(before) >= len(ROWS) and checkpoints(shared / "runs" / "della") == before     # nothing retrained
