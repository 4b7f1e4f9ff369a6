"""Issue 11: DELLA's Tables 1 and 8 run end to end under `smoke` through papermill, as a user runs them: every row is
trained and evaluated (finite IW-PPL, ELBO = Rec + KL for the latent rows, the GPT-2 row without latent columns),
samples are generated for every row, the files are written and labelled with the profile; Table 8 reuses the
backbone and the runs Table 1 left in the shared `runs_dir` (both on the toy corpus under `smoke`). Tables 4, 5 and
Figures 2, 3 run after Table 1 in the same `runs_dir`: their rows, claims and files, the rows shared with Table 1
reused (their checkpoints, in the folders Table 1 wrote, found and left untouched), and Figure 3's interpolation
decoding at t = 0 and t = 1 exactly what z_a and z_b decode on their own."""
import json
import math
import os
from pathlib import Path

import pandas as pd
import pytest

from vaepapers.papers.della import PROFILES, ROWS, SMOKE_ROWS, backbone_dir, figure2_rows, model_dir

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("VAEPAPERS_DATA") or ROOT.parent / "shared" / "data")
if not (DATA / "gpt2_tokenizer").is_dir():
    pytest.skip(f"the GPT-2 BPE files are not at {DATA / 'gpt2_tokenizer'} (set VAEPAPERS_DATA)", allow_module_level=True)
pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def table1(run_notebook, shared):
    return run_notebook("della_table1", shared, data_dir=str(DATA))


def check_results(out: Path, name: str) -> pd.DataFrame:
    res = pd.read_csv(out / "results.csv")
    assert res.model.tolist() == list(ROWS) and (res.dataset == "toy").all()
    assert (res.profile == "smoke").all() and (res.variant == "paper").all()
    assert res.ppl_iw.map(math.isfinite).all() and (res.ppl_iw > 1).all()
    latent = res[res.model != "GPT-2"]
    assert latent[["elbo", "kl", "kl_sum", "mi", "au", "nll"]].map(math.isfinite).all().all()
    assert ((latent.kl - latent.kl_sum).abs() < 1e-6).all()                          # variant 'paper': KL summed
    assert ((latent.kl_per_layer - latent.kl_sum / latent.n_links).abs() < 1e-9).all()
    assert (latent.ppl_iw_code < latent.ppl_iw).all()        # the code's denominator also counts <s>: a lower PPL
    lm = res[res.model == "GPT-2"].iloc[0]
    assert math.isnan(lm.elbo) and math.isnan(lm.kl)
    assert (res.decoding == ["top-50"] * 4 + [f"beam {PROFILES['smoke'].beam}"]).all()
    assert (res.n_samples == PROFILES["smoke"].n_samples).all() and res.self_bleu.map(math.isfinite).all()
    samples = pd.read_csv(out / "samples.csv", keep_default_na=False)
    assert (samples.groupby("model").size() == PROFILES["smoke"].n_samples).all()
    meta = json.loads((out / "meta.json").read_text())
    assert meta["params"]["profile"] == "smoke" and meta["dry_run"] is False and "samples.csv" in meta["tables_sha256"]
    assert (out / f"{name}.png").stat().st_size > 10_000
    claim = json.loads((out / "claim.json").read_text())["toy"]                   # claim_lowest_ppl
    assert isinstance(claim["holds"], bool) and claim["variant"] == "paper" and set(claim["ppl"]) == set(ROWS)
    assert claim["holds"] == (claim["ppl"]["DELLA"] < min(v for k, v in claim["ppl"].items() if k != "DELLA"))
    return res


def test_table1_smoke(table1, shared):
    out = table1
    res = check_results(out, "della_table1")
    assert (res.epochs_trained == PROFILES["smoke"].epochs).all()
    assert (backbone_dir(shared / "runs", PROFILES["smoke"]) / "config.json").is_file()   # a HF checkpoint folder


def test_table8_smoke_reuses_table1(table1, run_notebook, shared, checkpoints):
    before = checkpoints(shared / "runs" / "della")
    out = run_notebook("della_table8", shared, data_dir=str(DATA))
    check_results(out, "della_table8")
    assert len(before) >= len(ROWS) and checkpoints(shared / "runs" / "della") == before     # nothing retrained


# Tables 4, 5 and Figures 2, 3 (issue 11, §4): each runs under `smoke` after Table 1 in the same `runs_dir`; the rows
# they share with Table 1 (DELLA; the +Annealing rows of Table 5; all layers in Figure 2) are found, not retrained.
def run(run_notebook, name, shared):
    return run_notebook(name, shared, data_dir=str(DATA))


def check_common(out: Path, name: str, rows) -> pd.DataFrame:
    res = pd.read_csv(out / "results.csv")
    assert res.model.tolist() == list(rows) and (res.dataset == "toy").all()
    assert (res.profile == "smoke").all() and (res.variant == "paper").all()
    assert res.ppl_iw.map(math.isfinite).all() and (res.ppl_iw > 1).all()
    assert res[["elbo", "kl", "mi", "au"]].map(math.isfinite).all().all()
    assert ((res.kl - res.kl_sum).abs() < 1e-6).all()                               # variant 'paper': KL summed
    meta = json.loads((out / "meta.json").read_text())
    assert meta["params"]["profile"] == "smoke" and meta["dry_run"] is False
    assert (out / f"{name}.png").stat().st_size > 10_000
    return res


def table1_checkpoints(shared, checkpoints) -> dict[str, int]:
    "Table 1's checkpoints (run by the `table1` fixture) as they are now: the snapshot to compare after a notebook ran."
    before = checkpoints(shared / "runs" / "della")
    assert len(before) >= len(ROWS), before
    return before


def reused(shared, before: dict[str, int], after: dict[str, int], rows) -> bool:
    """Each of `rows` runs in a folder (`model_dir`, through `same_run`) that held Table 1's checkpoints before, and
    every checkpoint present before is there, untouched, after: the notebook found those runs and retrained none."""
    root = shared / "runs" / "della"
    for row in rows:
        folder = str(model_dir(shared / "runs", PROFILES["smoke"], "toy", row, 0).relative_to(root))
        assert any(k.startswith(folder + os.sep) for k in before), (row, folder, sorted(before))
    return all(after.get(k) == t for k, t in before.items())


def test_table4_smoke(table1, run_notebook, shared, checkpoints):
    before = table1_checkpoints(shared, checkpoints)
    out = run(run_notebook, "della_table4", shared)
    check_common(out, "della_table4", SMOKE_ROWS[4])
    assert reused(shared, before, checkpoints(shared / "runs" / "della"), ["DELLA"])       # Table 1's run, reused
    claim = json.loads((out / "claim.json").read_text())["toy"]
    assert isinstance(claim["holds"], bool) and set(claim["fraction_lost"]) == {"-LTP", "-LW", "Separate", "l = L KL"}
    assert all(math.isfinite(v) for v in claim["fraction_lost"].values())


def test_table5_smoke(table1, run_notebook, shared, checkpoints):
    before = table1_checkpoints(shared, checkpoints)
    out = run(run_notebook, "della_table5", shared)
    res = check_common(out, "della_table5", SMOKE_ROWS[5]).set_index("model")
    assert reused(shared, before, checkpoints(shared / "runs" / "della"),         # +Annealing = Table 1's runs
                  [f"{m} +Annealing" for m in ("Embed", "Memory", "Softmax", "DELLA")])
    assert (res.filter(like=" none", axis=0).epochs_trained == PROFILES["smoke"].epochs).all()
    claim = json.loads((out / "claim.json").read_text())["toy"]
    assert isinstance(claim["holds"], bool) and set(claim["kl"]) == {"DELLA", "Embed", "Memory", "Softmax"}
    assert claim["variant"] == "paper" and claim["kl_compared"] == "kl_per_layer"
    assert claim["kl"]["DELLA"] == pytest.approx(res.at["DELLA none", "kl_sum"] / res.at["DELLA none", "n_links"])


def test_figure2_smoke(table1, run_notebook, shared, checkpoints):
    before = table1_checkpoints(shared, checkpoints)
    out = run(run_notebook, "della_figure2", shared)
    rows = figure2_rows(PROFILES["smoke"].n_layer)
    check_common(out, "della_figure2", rows)
    assert reused(shared, before, checkpoints(shared / "runs" / "della"), ["DELLA layers 1-last"])   # Table 1's DELLA
    fig2 = pd.read_csv(out / "figure2.csv")
    assert set(fig2.group) == {"ending at layer e", "starting at layer b"} and set(fig2.n_layers) == {1, 2}
    assert fig2.ppl.map(math.isfinite).all()
    claim = json.loads((out / "claim.json").read_text())["toy"]
    assert isinstance(claim["holds"], bool) and all(isinstance(claim[g]["holds"], bool) for g in set(fig2.group))


def test_figure3_smoke(table1, run_notebook, shared, checkpoints):
    before = table1_checkpoints(shared, checkpoints)
    out = run(run_notebook, "della_figure3", shared)
    res = pd.read_csv(out / "results.csv")
    assert res.model.tolist() == ["DELLA"] and (res.profile == "smoke").all()
    assert reused(shared, before, checkpoints(shared / "runs" / "della"), ["DELLA"])       # Table 1's run, reused
    assert checkpoints(shared / "runs" / "della") == before                               # and nothing else trained
    interp = pd.read_csv(out / "interpolations.csv", keep_default_na=False)
    assert interp.pair.nunique() == 3 and (interp.groupby("pair").size() == 6).all()
    for _, g in interp.groupby("pair"):
        g = g.sort_values("t")
        assert g.t.tolist() == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        assert g.sentence.iloc[0] == g.own_a.iloc[0] and g.sentence.iloc[-1] == g.own_b.iloc[0]   # the endpoints
        assert g.x_a.iloc[0] and g.x_b.iloc[0]
    overlap = pd.read_csv(out / "overlap.csv")
    assert len(overlap) == 2 * len(interp) and overlap.bleu2.between(0, 100).all()
    meta = json.loads((out / "meta.json").read_text())
    assert meta["params"]["profile"] == "smoke" and "interpolations.csv" in meta["tables_sha256"]
    assert (out / "della_figure3.png").stat().st_size > 10_000
