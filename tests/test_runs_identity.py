"""A run directory belongs to one exact run; bf16 only where the device has it; no stray temp files (issue 8)."""
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

import vaepapers.data
import vaepapers.train
from vaepapers.models.lstm_vae import LSTMVAE, LSTMVAEConfig
from vaepapers.objectives import ELBO
from vaepapers.text import TextData
from vaepapers.train import (CheckpointError, TrainConfig, Trainer, load_checkpoint, resolve_bf16, seed_everything,
                             state_sha256)

CFG = TrainConfig(epochs=1, batch_size=32, progress=False, mi_au=False)


def train_tiny(data: TextData, out_dir: Path) -> list[dict]:
    "One epoch of a tiny LSTM-VAE on `data`, checkpointed in `out_dir`, as a paper runner does it (seed, build, fit)."
    seed_everything(0)
    model = LSTMVAE(LSTMVAEConfig(vocab_size=len(data.vocab), emb_dim=8, hidden_dim=16, z_dim=2))
    return Trainer(model, data, ELBO(), CFG, out_dir).fit()


def test_stale_run_refused(tmp_path):
    "Training into a run directory of another max_train is refused with the differing field, and nothing changes."
    run = tmp_path / "run"
    train_tiny(TextData.from_corpus("toy", max_train=200), run)
    before = (run / "last.pt").read_bytes()
    assert len(train_tiny(TextData.from_corpus("toy", max_train=200), run)) == 1      # the same run: resumed
    with pytest.raises(CheckpointError) as err:
        train_tiny(TextData.from_corpus("toy", max_train=100), run)
    message = str(err.value)
    assert "data.n_train: 200 -> 100" in message and "n_train" in message
    assert f"delete {run} to retrain it, or pass another runs_dir" in message
    assert (run / "last.pt").read_bytes() == before                                 # the old run is left as it was


def test_bf16_choice_follows_the_cpu(monkeypatch):
    "With the CPU's native bf16 reported absent, 'auto' is float32 and True is refused; present, 'auto' is bf16."
    cpu = torch.device("cpu")
    monkeypatch.setattr(vaepapers.train, "_cpu_bf16_features", lambda: frozenset())
    assert resolve_bf16("auto", cpu) is False
    with pytest.raises(ValueError, match="bf16=True was requested but cpu has no native bf16"):
        resolve_bf16(True, cpu)
    data = TextData.synthetic(20, n_train=8, n_valid=4, n_test=0)
    model = LSTMVAE(LSTMVAEConfig(vocab_size=20, emb_dim=4, hidden_dim=4, z_dim=2))
    with pytest.raises(ValueError, match="no native bf16"):                        # before any training
        Trainer(model, data, ELBO(), TrainConfig(bf16=True, device="cpu", progress=False))
    assert Trainer(model, data, ELBO(), TrainConfig(bf16="auto", device="cpu")).cfg.bf16 is False
    monkeypatch.setattr(vaepapers.train, "_cpu_bf16_features", lambda: frozenset({"avx512_bf16"}))
    assert resolve_bf16("auto", cpu) is True and resolve_bf16(True, cpu) is True
    assert Trainer(model, data, ELBO(), TrainConfig(bf16="auto", device="cpu")).cfg.bf16 is True
    assert resolve_bf16(False, cpu) is False


KILLED_WRITER = """
import sys, time
from vaepapers.train import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    tmp.write_bytes(b"half a checkpoint")
    print("writing", flush=True)
    time.sleep(60)
"""


def test_stray_temp_files_removed(tmp_path):
    "A checkpoint write killed midway leaves its temp file and the old checkpoint; the next trainer removes the temp."
    run = tmp_path / "run"
    data = TextData.from_corpus("toy", max_train=100)
    train_tiny(data, run)
    before = (run / "last.pt").read_bytes()
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KILLED_WRITER), str(run / "last.pt")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    (run / "best.pt.a1b2c3.tmp").write_bytes(b"old-style temp")                       # written by older versions
    stray = sorted(p.name for p in run.iterdir() if p.name not in ("last.pt", "best.pt", "history.json"))
    assert len(stray) == 2 and stray[0].startswith(".last.pt.") and stray[0].endswith(".tmp.pt"), stray
    assert (run / "last.pt").read_bytes() == before                                 # the kill left the old file
    assert len(train_tiny(data, run)) == 1                                          # resumes the finished run
    assert sorted(p.name for p in run.iterdir()) == ["best.pt", "history.json", "last.pt"]


def test_start_weights_recorded(tmp_path):
    "The checkpoint records the hash of the weights the run started from; another init is refused."
    run = tmp_path / "run"
    data = TextData.from_corpus("toy", max_train=100)
    seed_everything(0)
    model = LSTMVAE(LSTMVAEConfig(vocab_size=len(data.vocab), emb_dim=8, hidden_dim=16, z_dim=2))
    start = state_sha256(model.state_dict())
    Trainer(model, data, ELBO(), CFG, run).fit()
    assert load_checkpoint(run / "last.pt")["describe"]["start"] == {"sha256": start}
    seed_everything(1)
    other = LSTMVAE(LSTMVAEConfig(vocab_size=len(data.vocab), emb_dim=8, hidden_dim=16, z_dim=2))
    with pytest.raises(CheckpointError, match="start.sha256"):
        Trainer(other, data, ELBO(), CFG, run).fit()


def test_unreadable_corpus_file_named(tmp_path, monkeypatch):
    "A corpus file this process may not read is one PermissionError naming the file and what to do."
    (tmp_path / "ptb").mkdir()
    for split in ("train", "valid", "test"):
        (tmp_path / "ptb" / f"{split}.txt").write_text("a b c\n")
    def refuse(path, *args, **kw):                    # as the OS refuses another user's file (root ignores chmod)
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(vaepapers.data, "open", refuse, raising=False)
    with pytest.raises(PermissionError) as err:
        TextData.from_corpus("ptb", tmp_path, download=False)
    assert str(err.value).startswith(f"cannot read corpus file {tmp_path / 'ptb' / 'train.txt'}: permission denied")
    assert "chmod a+r" in str(err.value) and "data_dir=" in str(err.value)
