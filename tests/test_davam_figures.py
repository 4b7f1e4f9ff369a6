"""Issue 10, §4: `davam_figure4` (sensitivity to K, β_max, code dimension; training dynamics) and `davam_figure3`
(DAVAM samples as extra LM training data) run end to end under `smoke` through papermill, as a user runs them; a sweep
point that is a Table II model is Table II's run folder, trained once and reused (by the other panels and by Figure 3's
generator); every other point and every (n, a) of Figure 3 has its own folder."""
import math

import pandas as pd
import pytest

from vaepapers.papers.davam import model_dir
from vaepapers.papers.davam_figures import FIGURE3_PROFILES, FIGURE4_PROFILES, lm_folder, sweep_folder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def figure4(run_notebook, shared):
    return run_notebook("davam_figure4", shared)


@pytest.fixture(scope="module")
def figure3(run_notebook, shared, figure4, checkpoints):
    "Figure 3 after Figure 4: its generator is Figure 4's default point; the checkpoints of that folder before it ran."
    table2 = model_dir(shared / "runs", FIGURE3_PROFILES["smoke"], "toy", "DAVAM (K=32)", 0)
    before = checkpoints(table2)
    return run_notebook("davam_figure3", shared), table2, before


def test_figure4_sweeps_one_knob_at_a_time(figure4, shared):
    P = FIGURE4_PROFILES["smoke"]
    res = pd.read_csv(figure4 / "results.csv")
    assert (res.profile == "smoke").all() and (res.dataset == "toy").all()
    assert res.groupby("sweep").value.apply(tuple).to_dict() == {
        "K": tuple(map(float, P.K_values)), "beta_max": P.beta_values, "code_dim": tuple(map(float, P.dim_values))}
    assert res[["rec", "kl_avg", "kl"]].map(math.isfinite).all().all()
    for knob, col in (("K", "K"), ("beta_max", "beta_max"), ("code_dim", "code_dim")):
        sweep = res[res.sweep == knob]
        assert (sweep[col] == sweep.value).all()                                 # the knob is the one changed
        others = {"K": P.default_K, "beta_max": P.beta_max, "code_dim": P.code_dim}
        for other, default in others.items():
            if other != col:
                assert (sweep[other] == default).all(), (knob, other)
    default = res[(res.K == P.default_K) & (res.beta_max == P.beta_max) & (res.code_dim == P.code_dim)]
    assert len(default) == 3 and default.table2_run.all() and default.rec.nunique() == 1   # one model, three panels
    assert not res[(res.sweep != "K") & ~res.index.isin(default.index)].table2_run.any()
    runs = shared / "runs"
    for knob in P.sweeps:
        for v in (P.K_values if knob == "K" else P.beta_values if knob == "beta_max" else P.dim_values):
            assert (sweep_folder(runs, P, "toy", knob, v, 0) / "stages.json").exists(), (knob, v)
    assert (figure4 / "davam_figure4.png").stat().st_size > 10_000


def test_figure4_dynamics_and_claims(figure4):
    P = FIGURE4_PROFILES["smoke"]
    dyn = pd.read_csv(figure4 / "dynamics.csv")
    davam = dyn[dyn.model == f"DAVAM (K={P.default_K})"]
    assert davam.stage.tolist() == ["posterior"] * P.epochs + ["prior"] * P.prior_epochs
    assert dyn[dyn.model == "GAVAM"].stage.tolist() == ["joint"] * P.epochs
    assert dyn[["rec", "kl"]].map(math.isfinite).all().all()
    assert (davam[davam.stage == "prior"].rec.nunique()) == 1                    # stage 2 leaves the posterior as is
    claims = pd.read_csv(figure4 / "claims.csv")
    assert len(claims) == 10 and set(claims.panel) == set("abcd") and set(claims.holds) <= {"yes", "no"}


def test_figure3_grid_and_reuse(figure3, shared, checkpoints):
    out, table2, before = figure3
    P = FIGURE3_PROFILES["smoke"]
    res = pd.read_csv(out / "results.csv")
    assert len(res) == len(P.base_sizes) * len(P.factors) and (res.profile == "smoke").all()
    assert ((res.n_train == res.n + (res.factor * res.n).round()) & (res.n_generated == res.n_train - res.n)).all()
    assert res.ppl.map(math.isfinite).all() and (res.ppl > 1).all()
    # more training sentences, more tokens seen per epoch
    assert (res.groupby("n").train_tokens.apply(lambda s: s.is_monotonic_increasing)).all()
    for row in res.itertuples():
        assert (lm_folder(shared / "runs", P, "toy", row.n, row.factor, 0) / "best.pt").exists()
    assert before and checkpoints(table2) == before                              # the generator was found, not retrained
    samples = pd.read_csv(out / "samples.csv")
    assert len(samples) == 20 and (samples.latent_length >= 2).all()
    claims = pd.read_csv(out / "claims.csv")
    assert len(claims) == 2 * len(P.base_sizes) + 1 and set(claims.holds) <= {"yes", "no"}
    assert (out / "davam_figure3.png").stat().st_size > 10_000
