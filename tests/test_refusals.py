"""Issue 8 §2: every artefact notebook refuses a bad parameter, or a missing corpus, before the first model trains,
with one line that names the parameter, the bad value and the allowed ones."""
import papermill as pm
import pytest

from vaepapers.train import native_bf16

pytestmark = pytest.mark.slow

CASES = [  # notebook, parameters, words the error must contain
    ("kruengkrai_table2", {"rows": ["LSTM-VAE (L=5)"]}, ["rows", "'LSTM-VAE (L=5)'", "LSTM-VAE (L = 5)"]),
    ("kruengkrai_table2", {"settings": ["bogus"]}, ["settings", "'bogus'", "inputless"]),
    ("kruengkrai_table3", {"iw_samples": 0}, ["iw_samples", "0"]),
    ("kruengkrai_table2", {"datasets": ["toy", "yahoo"], "data_dir": "/nonexistent"}, ["yahoo", "/nonexistent"]),
    ("prokhorov_table1", {"capacities": [-5]}, ["capacities", "-5"]),
    ("prokhorov_table2", {"schemes": ["top_k:abc"]}, ["top_k:abc", "integer"]),
    ("prokhorov_figure1", {"decoders": ["transformer"]}, ["decoders", "'transformer'"]),
    ("prokhorov_table4", {"epochs": 0}, ["epochs", "0"]),
    ("prokhorov_table3", {"seeds": []}, ["seeds"]),
]


@pytest.mark.parametrize("name,params,words", CASES, ids=[f"{c[0]}-{next(iter(c[1]))}" for c in CASES])
def test_bad_parameter_refused_before_training(run_notebook, tmp_path, monkeypatch, name, params, words):
    # no corpus anywhere but the embedded toy one, so a corpus found late would fail too, after training toy rows
    monkeypatch.setenv("VAEPAPERS_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(pm.PapermillExecutionError) as e:
        run_notebook(name, tmp_path, **params)
    message = f"{e.value.ename}: {e.value.evalue}"
    assert all(w in message for w in words), message
    assert e.value.ename in ("ValueError", "CorpusNotFoundError", "TypeError"), message
    assert not (tmp_path / "runs").exists()                          # nothing trained, no checkpoint written


@pytest.mark.skipif(native_bf16("cpu")[0], reason="this CPU computes bf16 natively: bf16=True is allowed")
def test_bf16_true_refused_on_a_cpu_without_it(run_notebook, tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as e:
        run_notebook("kruengkrai_table2", tmp_path, bf16=True, device="cpu")
    assert "bf16" in e.value.evalue and "auto" in e.value.evalue
    assert not (tmp_path / "runs").exists()
