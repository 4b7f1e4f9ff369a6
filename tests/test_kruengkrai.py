"""Kruengkrai (2019): Tables 2 and 3 run end to end under `smoke` (papermill, as a user would run them), and the
dry run builds every model of the `paper` profile."""
import json
import math

import pandas as pd
import papermill as pm
import pytest

from vaepapers.papers.kruengkrai import PROFILES, ROWS, SETTINGS, TABLE3_ROWS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def table2(run_notebook, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kru")
    return tmp, run_notebook("kruengkrai_table2", tmp)


def test_kruengkrai_table2_smoke(table2):
    _, out = table2
    res = pd.read_csv(out / "results.csv")
    assert set(res.model) == set(ROWS) and set(res.setting) == {"standard", "inputless"}
    assert len(res) == len(ROWS) * 2 and (res.profile == "smoke").all()
    assert res[["nll", "kl", "ppl"]].map(math.isfinite).all().all()
    # the LM has no latent variable; every VAE's -ELBO is Rec + KL; an AVG row's joint bound counts L·KL
    assert (res[res.model == "LSTM-LM"].kl == 0).all()
    assert ((res.nll - (res.rec + res.kl)).abs() < 1e-6).all()
    for model, switches in ROWS.items():
        rows = res[res.model == model]
        if switches.get("avg"):
            L = switches["n_samples"]
            assert ((rows.nll_joint - (rows.rec + L * rows.kl)).abs() < 1e-6).all()
        else:
            assert rows.nll_joint.isna().all()
    meta = json.loads((out / "meta.json").read_text())
    assert meta["params"]["profile"] == "smoke" and meta["wall_secs"] > 0 and meta["dry_run"] is False
    assert "dry_run" not in res
    assert (out / "kruengkrai_table2.png").stat().st_size > 10_000


def test_changed_max_train_refuses_the_stale_models(run_notebook, table2):
    # the same runs_dir with another training subset: the checkpoints belong to another run, and reusing them
    # would report the old models under the new parameters
    tmp, _ = table2
    with pytest.raises(pm.PapermillExecutionError) as e:
        run_notebook("kruengkrai_table2", tmp, out_dir=str(tmp / "other"), max_train=100)
    assert e.value.ename == "CheckpointError"
    assert "n_train: 600 -> 100" in e.value.evalue and "delete" in e.value.evalue


def test_kruengkrai_table3_reuses_table2_models(run_notebook, table2):
    tmp, out2 = table2
    out3 = run_notebook("kruengkrai_table3", tmp)
    t2 = pd.read_csv(out2 / "results.csv").query("setting == 'standard'").set_index("model")
    t3 = pd.read_csv(out3 / "results.csv").set_index("model")
    assert list(t3.index) == list(TABLE3_ROWS)
    # same runs_dir: table 3 finds table 2's checkpoints instead of retraining, and the evaluation is seeded,
    # so the test figures of the same models are identical
    for model in t3.index:
        assert t3.loc[model, "epochs_trained"] == t2.loc[model, "epochs_trained"]
        assert t3.loc[model, "nll"] == pytest.approx(t2.loc[model, "nll"], abs=1e-9)
    assert (t3.iw_sentences == 40).all()
    assert t3[["nll_iw", "nll_sub"]].map(math.isfinite).all().all()
    avg = t3.loc[[m for m in TABLE3_ROWS if ROWS[m].get("avg")]]
    assert (avg.nll_joint_sub >= avg.nll_sub).all() and math.isnan(t3.loc["LSTM-VAE", "nll_joint_sub"])


def test_dry_run_builds_every_paper_model(dry_run):
    paper = PROFILES["paper"]
    res = pd.read_csv(dry_run("kruengkrai_table2") / "results.csv")
    keys = set(zip(res.dataset, res.setting, res.model))
    assert keys == {(d, s, r) for d in paper.datasets for s in SETTINGS for r in ROWS}
    assert (res.seed == paper.seeds[0]).all() and (res.epochs_trained == 1).all()
    res3 = pd.read_csv(dry_run("kruengkrai_table3") / "results.csv")
    assert set(zip(res3.dataset, res3.model)) == {(d, r) for d in paper.datasets for r in TABLE3_ROWS}
    assert res3.nll_iw.map(math.isfinite).all() and (res3.iw_sentences == 2).all()


def test_bad_profile_is_one_clear_error(run_notebook, tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match="profile must be one of"):
        run_notebook("kruengkrai_table2", tmp_path, profile="gpu")


def test_missing_corpus_names_the_places_searched(run_notebook, tmp_path, monkeypatch):
    # no corpus anywhere: an empty VAEPAPERS_DATA and user cache (the project's data/ holds no corpora)
    monkeypatch.setenv("VAEPAPERS_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(pm.PapermillExecutionError) as e:
        run_notebook("kruengkrai_table2", tmp_path, datasets=["ptb"], data_dir=str(tmp_path / "nowhere"))
    assert "nowhere" in str(e.value) and "VAEPAPERS_DATA" in str(e.value)
