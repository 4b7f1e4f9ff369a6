"""Issue 10: DAVAM's notebooks run end to end under `smoke` through papermill, as a user runs them (Tables II–V here,
Figures 3–4 in test_davam_figures); the card's command (`-p K 128`) trains exactly the DAVAM row it names; Table II's
baseline rows are the collapse notebook's runs, found in `runs_dir` and not retrained; the reported figures are the
paper's (position-averaged KL) beside the bound; Tables III–V sample from the models Table II trained."""
import math

import pandas as pd
import pytest

from vaepapers.baselines import METHODS
from vaepapers.diagnostics import read_history
from vaepapers.papers.davam import GENERATION_ROWS, PROFILES, generation_profile, model_dir, row_label

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def table2_k128(run_notebook, shared, checkpoints):
    """collapse_diagnostics first (it trains rows 1–7), then the card's command: davam_table2 with -p K 128; the
    out_dir and the collapse checkpoints as they were before davam_table2 ran."""
    run_notebook("collapse_diagnostics", shared)
    before = checkpoints(shared / "runs" / "collapse")
    return run_notebook("davam_table2", shared, K=128), before


def test_table2_card_command_trains_the_row_it_names(table2_k128):
    out, _ = table2_k128
    res = pd.read_csv(out / "results.csv")
    P = PROFILES["smoke"]
    assert res.model.tolist() == [*METHODS, "GAVAM", f"DAVAM-q (K={P.K_q})", "DAVAM (K=128)"]
    assert (res.profile == "smoke").all()
    family = res[res.model.isin(["GAVAM", f"DAVAM-q (K={P.K_q})", "DAVAM (K=128)"])]
    assert family[["rec", "kl", "kl_avg", "ppl", "ppl_paper"]].map(math.isfinite).all().all()
    # the paper's PPL adds the position-averaged KL, the bound the summed one: never the other way round
    assert (family.kl_avg <= family.kl + 1e-6).all() and (family.ppl_paper <= family.ppl + 1e-6).all()
    assert ((family.nll - (family.rec + family.kl)).abs() < 1e-4).all()
    assert (out / "davam_table2.png").stat().st_size > 10_000


def test_table2_reuses_the_collapse_runs(table2_k128, shared, checkpoints):
    "Rows 1–7 were trained by collapse_diagnostics: davam_table2 found their checkpoints and wrote none of them."
    _, before = table2_k128
    assert len(before) >= len(METHODS)
    assert checkpoints(shared / "runs" / "collapse") == before


def test_davam_two_stages_each_in_its_folder(table2_k128, shared):
    P = PROFILES["smoke"]
    h = read_history(model_dir(shared / "runs", P, "toy", "DAVAM (K=128)", 0))
    assert h.stage.tolist() == ["posterior"] * P.epochs + ["prior"] * P.prior_epochs


@pytest.mark.parametrize("table", [3, 4, 5])
def test_generation_tables_smoke(table2_k128, run_notebook, shared, checkpoints, table):
    """Tables III–V with -p K 128 sample from the DAVAM model Table II trained (not retrained), score every sample
    with row 1's LM and write one row per model and length, or per sample for Table III."""
    davam_ckpts = checkpoints(shared / "runs" / "davam" / "smoke" / "toy" / "davam")
    out = run_notebook(f"davam_table{table}", shared, K=128)
    assert checkpoints(shared / "runs" / "davam" / "smoke" / "toy" / "davam") == davam_ckpts
    samples = pd.read_csv(out / "samples.csv")                 # an empty sample: no sentence, NaN NLL
    P = generation_profile(PROFILES["smoke"], table)
    models = {row_label(m, 128) if m == "DAVAM" else m for m in GENERATION_ROWS[table]}
    assert set(samples.model) == models
    assert set(samples.length) == set(P.lengths) and (samples.profile == "smoke").all()
    assert (samples.groupby(["model", "length"]).size() == P.n_samples).all()
    spoken = samples[samples.words > 0]
    assert len(spoken) and (spoken.nll > 0).all() and (spoken.words <= spoken.length - 1).all()
    assert (out / f"davam_table{table}.png").stat().st_size > 10_000
