"""Kruengkrai (2019): Tables 2 and 3 run end to end under `smoke` (papermill, as a user would run them), and the
dry run builds every model of the `paper` profile."""
import json
import math
import re
import shutil

import pandas as pd
import papermill as pm
import pytest

from vaepapers.papers.kruengkrai import PROFILES, ROWS, SETTINGS, TABLE3_ROWS

pytestmark = pytest.mark.slow


def keep_executed(tmp, name: str) -> None:
    "Keep the executed notebook `name` of `run_notebook` (a later run of the same notebook in `tmp` overwrites it)."
    shutil.copy(tmp / f"{name}.out.ipynb", tmp / f"{name}.executed.ipynb")


@pytest.fixture(scope="module")
def table2(run_notebook, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kru")
    out = run_notebook("kruengkrai_table2", tmp)
    keep_executed(tmp, "kruengkrai_table2")
    return tmp, out


@pytest.fixture(scope="module")
def table3(run_notebook, table2):
    "Table 3 run after Table 2 with the same runs_dir (it reuses Table 2's models)."
    tmp, _ = table2
    out = run_notebook("kruengkrai_table3", tmp)
    keep_executed(tmp, "kruengkrai_table3")
    return tmp, out


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


def executed(tmp, name: str) -> list[tuple[str, list[dict]]]:
    "(source, outputs) of every code cell of the notebook `name` as `run_notebook` left it executed in `tmp`."
    nb = json.loads((tmp / f"{name}.executed.ipynb").read_text(encoding="utf-8"))
    return [("".join(c["source"]), c["outputs"]) for c in nb["cells"] if c["cell_type"] == "code"]


def shown(outputs: list[dict]) -> str:
    "What a reader sees of a cell's outputs: printed text, and each result's HTML (a table's) or else its plain text."
    def one(o: dict) -> str:
        data = o.get("data", {})
        return "".join(o.get("text", "")) + "".join(data.get("text/html", data.get("text/plain", "")))
    return "".join(map(one, outputs))


def check_readable(cells: list[tuple[str, list[dict]]], name: str) -> dict[str, str]:
    "No warning or error in any output; the profile as a table; the figure shown; returns source -> text shown."
    for source, outputs in cells:
        assert not [o for o in outputs if o.get("name") == "stderr" or o["output_type"] == "error"], (source, outputs)
    text = {source: shown(outputs) for source, outputs in cells}
    setup = next(s for s in text if "resolve_profile(" in s)
    assert setup.rstrip().endswith("profile_table(P)") and "sizes" in text[setup] and "KruengkraiProfile(" not in text[setup]
    figure = next(s for s in text if "save_figure(" in s)
    assert f'reader_figure("{name}")' in figure and 'P.name == "cpu"' in figure
    assert any("image/png" in o.get("data", {}) for s, outputs in cells if s == figure for o in outputs)
    return text


MODEL = re.compile(r"LSTM-(?:LM|VAE(?:-AVG)?(?: \(L = \d+\))?)")


def test_kruengkrai_table2_reads_as_the_paper(table2):
    tmp, _ = table2
    text = check_readable(executed(tmp, "kruengkrai_table2"), "kruengkrai_table2")
    table = next(t for s, t in text.items() if s.startswith("table2_beside_paper("))
    assert all(label in table for label in ("NLL", "KL", "PPL", "paper", "smoke run", "Dataset", "Setting", "Model"))
    assert [m[0] for line in table.splitlines() if (m := MODEL.search(line))] == list(ROWS) * 2    # paper's order
    claims = next(t for s, t in text.items() if s.startswith("avg_claims("))
    assert "_std" not in claims and "ΔKL" in claims


def test_kruengkrai_table3_reads_as_the_paper(table3):
    tmp, _ = table3
    text = check_readable(executed(tmp, "kruengkrai_table3"), "kruengkrai_table3")
    table = next(t for s, t in text.items() if s.startswith("table3_beside_paper("))
    assert "NLL-IW − NLL-ELBO" in table and "NLL-ELBO" in table and "smoke run" in table
    assert [m[0] for line in table.splitlines() if (m := MODEL.search(line))] == list(TABLE3_ROWS)
    claims = next(t for s, t in text.items() if s.startswith("iw_claims("))
    assert "_std" not in claims and "NLL-IW − NLL-ELBO" in claims


def test_changed_max_train_refuses_the_stale_models(run_notebook, table2):
    # the same runs_dir with another training subset: the checkpoints belong to another run, and reusing them
    # would report the old models under the new parameters
    tmp, _ = table2
    with pytest.raises(pm.PapermillExecutionError) as e:
        run_notebook("kruengkrai_table2", tmp, out_dir=str(tmp / "other"), max_train=100)
    assert e.value.ename == "CheckpointError"
    assert "n_train: 600 -> 100" in e.value.evalue and "delete" in e.value.evalue


def test_kruengkrai_table3_reuses_table2_models(table2, table3):
    _, out2 = table2
    _, out3 = table3
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
