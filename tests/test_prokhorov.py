"""Prokhorov et al. (2019): the capacity objective holds KL at C, a higher C buys a lower distortion, and all five
artefact notebooks run under `smoke`, sharing Table 1's models."""
import math
import random

import pandas as pd
import pytest

from vaepapers.metrics import sentence_terms
from vaepapers.models.lstm_vae import LSTMVAE
from vaepapers.objectives import Capacity
from vaepapers.papers.prokhorov import SYNEVAL_ROWS, prokhorov_config, rate_distortion
from vaepapers.text import TextData, Vocab
from vaepapers.train import Trainer, TrainConfig, seed_everything


@pytest.mark.parametrize("C", [3.0, 10.0])
def test_capacity_objective_holds_kl_within_one_nat_of_C(C):
    # the paper's own criterion (§3.1): C - 1 <= KL <= C + 1 on the test set after training
    data = TextData.from_corpus("toy", max_train=800)
    seed_everything(0)
    model = LSTMVAE(prokhorov_config(len(data.vocab), "lstm", 16, 32, 8))
    cfg = TrainConfig(epochs=3, optimizer="adam", lr=3e-3, clip=None, stop_patience=None, select_on="last",
                      progress=False, mi_au=False)
    Trainer(model, data, Capacity.annealed(C, 1.0, per_sentence=False), cfg).fit()
    R = rate_distortion(sentence_terms(model, data.batches("test", 64)))["R"]
    assert abs(R - C) <= 1.0, (C, R)


def uniform_source(n_words: int = 20, length: int = 6, sizes=(("train", 2000), ("valid", 100), ("test", 200))):
    "Sentences of `length` words drawn uniformly from `n_words`: no structure, entropy H = length * log(n_words)."
    rng = random.Random(0)
    lines = {s: [" ".join(f"w{rng.randrange(n_words)}" for _ in range(length)) for _ in range(n)] for s, n in sizes}
    vocab = Vocab.build(lines["train"])
    return TextData(vocab, {s: [vocab.encode(t) for t in texts] for s, texts in lines.items()}, "uniform"), length * math.log(n_words)


@pytest.mark.slow
def test_distortion_falls_as_capacity_rises():
    # On a uniform source an LM cannot beat H nats a sentence, so every nat of D below H must come through z:
    # D >= H - I(x; z) >= H - R (the rate-distortion bound; it catches a Rec or KL scaled down, e.g. per token).
    # Raising C must buy a lower D: here by 1.07 nats (seed 0; 0.75 and 0.51 with seeds 1 and 2), checked at 0.3.
    # (On the toy corpus the LM alone already explains most of each sentence, and the gain from z is hidden by
    # overfitting; see prokhorov_table1 for why short runs may meet KL = C without encoding x.)
    data, H = uniform_source()
    D, R = {}, {}
    for C in (2.0, 12.0):
        seed_everything(0)
        model = LSTMVAE(prokhorov_config(len(data.vocab), "lstm", 16, 32, 8))
        cfg = TrainConfig(epochs=40, optimizer="adam", lr=3e-3, clip=None, stop_patience=None, select_on="last",
                          progress=False, mi_au=False)
        Trainer(model, data, Capacity.annealed(C, 1.0), cfg).fit()
        rd = rate_distortion(sentence_terms(model, data.batches("test", 64)))
        D[C], R[C] = rd["D"], rd["R"]
        assert abs(R[C] - C) <= 1.0, (C, R[C])
        assert D[C] + R[C] >= H - 0.5, (C, D[C], R[C], H)          # -ELBO >= NLL >= H on fresh uniform sentences
    assert D[12.0] < D[2.0] - 0.3, D


NOTEBOOKS = ["prokhorov_table1", "prokhorov_figure1", "prokhorov_table2", "prokhorov_table3", "prokhorov_table4"]


@pytest.fixture(scope="module")
def smoke_runs(run_notebook, tmp_path_factory):
    "Run the five notebooks in order with one runs_dir, so Tables 2-4 and Figure 1 reuse Table 1's models (no data files)."
    tmp = tmp_path_factory.mktemp("pro")
    return {name: run_notebook(name, tmp) for name in NOTEBOOKS}


@pytest.mark.slow
def test_prokhorov_notebooks_smoke(smoke_runs):
    t1 = pd.read_csv(smoke_runs["prokhorov_table1"] / "results.csv")
    assert (t1.profile == "smoke").all() and sorted(t1.C) == [2, 12]
    assert ((t1.R - t1.C).abs() <= 1).all()                         # the constraint holds even in smoke
    buckets = pd.read_csv(smoke_runs["prokhorov_table1"] / "reconstruction_by_bucket.csv")
    assert (buckets[buckets.bucket == "all"].n == 200).all()        # every toy test sentence reconstructed
    f1 = pd.read_csv(smoke_runs["prokhorov_figure1"] / "results.csv")
    assert set(f1.decoder) == {"gru", "lstm", "cnn"}
    # Figure 1's LSTM models are Table 1's (same runs_dir): identical test figures
    same = f1[f1.decoder == "lstm"].set_index("C").D.sort_index()
    assert same.tolist() == pytest.approx(t1.set_index("C").D.sort_index().tolist(), abs=1e-6)
    t2 = pd.read_csv(smoke_runs["prokhorov_table2"] / "results.csv")
    assert set(t2.decoding) == {"greedy", "top-15", "NS p=0.9"}
    assert len(t2) == 2 * 3 * 5 * 7                                 # C x schemes x lines x points
    t3 = pd.read_csv(smoke_runs["prokhorov_table3"] / "results.csv")
    assert t3.dropna(subset=["C"]).fce.map(math.isfinite).all()
    assert t3[t3.C.isna()].fce.isna().all()                         # the test set's own row has no FCE
    t4 = pd.read_csv(smoke_runs["prokhorov_table4"] / "results.csv")
    assert len(t4) == len(SYNEVAL_ROWS) * 2                          # every Table 4 row, for C = 2 and 12
    scored = t4[t4.n > 0]                            # the toy pairs: simple agreement and across a subject relative
    assert set(scored.row) == {"Simple", "Across a subject relative clause"} and (scored.n == 2 * 3).all()
    assert scored[["p1", "p2", "p1_bar", "p2_bar"]].stack().between(0, 1).all()
    assert t4[t4.n == 0][["p1", "p2"]].isna().all().all()   # rows without pairs are undefined, not 0
    # Table 4's models are Table 1's too: the same D and R
    assert t4.groupby("C").R.first().tolist() == pytest.approx(t1.set_index("C").R.sort_index().tolist(), abs=1e-9)
    for name, out in smoke_runs.items():
        assert (out / "meta.json").exists() and (out / f"{name}.png").exists()
        assert (pd.read_csv(out / "results.csv").seed == 0).all()
