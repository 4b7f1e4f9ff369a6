"""Run files (issue 8 §2, §3): bad parameters refused before any training, results.csv and meta.json written whole
(a writer killed mid-write leaves the old files byte for byte), results.csv byte-identical across two runs of the
same seed, and meta.json's device, data checksums, git state and bf16 setting."""
import hashlib
import json
import os
import platform
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
import torch

import vaepapers.train as train
from vaepapers import data as vdata
from vaepapers.data import REGISTRY, CorpusNotFoundError, load_corpus
from vaepapers.generate import Decoding
from vaepapers.models.lstm_vae import LSTMVAE, LSTMVAEConfig
from vaepapers.objectives import ELBO, Capacity, Constant, Linear
from vaepapers.reproduce import Profile, load_data, require_corpora, resolve_profile, train_and_evaluate, write_run
from vaepapers.text import TextData
from vaepapers.train import TrainConfig

ROOT = Path(__file__).resolve().parent.parent
PROFILES = {"paper": Profile(datasets=("ptb",), seeds=(0, 1), epochs=30), "smoke": Profile("smoke", ("toy",))}


# --- §2: every bad parameter refused when the profile is made, before anything trains --------------------------

@pytest.mark.parametrize("override, message", [
    (dict(datasets=["toy", "yahooo"]), "datasets: ['yahooo'] is not allowed; choose from ['ptb', "),
    (dict(datasets=[1, "toy", "x"]), "datasets: [1, 'x'] is not allowed; choose from"),
    (dict(datasets=5), "datasets: 5 is not allowed; choose from"),
    (dict(seeds=[]), "seeds must be a non-empty list of distinct integers in [0, 2**32), e.g. [0] or [0, 1, 2], "
                     "got ()"),
    (dict(seeds=[1, 1]), "seeds must be a non-empty list of distinct integers in [0, 2**32), e.g. [0] or "
                         "[0, 1, 2], got (1, 1)"),
    (dict(seeds=[-1]), "got (-1,)"),
    (dict(seeds=["0"]), "got ('0',)"),
    (dict(seeds=7), "got 7"),
    (dict(epochs=0), "epochs must be an integer >= 1, got 0"),
    (dict(epochs=-3), "epochs must be an integer >= 1, got -3"),
    (dict(epochs=2.5), "epochs must be an integer >= 1, got 2.5"),
    (dict(epochs=True), "epochs must be an integer >= 1, got True"),
    (dict(max_train=0), "max_train must be an integer >= 1 or None, got 0"),
    (dict(max_train="100"), "max_train must be an integer >= 1 or None, got '100'"),
    (dict(bf16="yes"), "bf16 must be one of True, False, 'auto' (on where the device has native bf16), got 'yes'"),
    (dict(bf16=1), "bf16 must be one of True, False, 'auto' (on where the device has native bf16), got 1"),
    (dict(dry_run="no"), "dry_run must be True or False, got 'no'"),
])
def test_profile_refuses_bad_values(override, message):
    with pytest.raises(ValueError) as e:
        resolve_profile(PROFILES, "smoke", "cpu", **override)
    assert message in str(e.value)
    assert len(str(e.value).splitlines()) == 1                           # one line: parameter, value, allowed ones


def test_profile_lists_allowed_corpora_and_coerces():
    with pytest.raises(ValueError) as e:
        Profile(datasets=("bogus",))
    assert f"choose from {list(REGISTRY)}" in str(e.value)
    p = resolve_profile(PROFILES, "paper", "cpu", datasets="yahoo", seeds=[3, 4], bf16=False)   # papermill's forms
    assert (p.datasets, p.seeds, p.bf16) == (("yahoo",), (3, 4), False)
    assert Profile().bf16 == "auto" and PROFILES["paper"].datasets == ("ptb",)


def test_resolve_profile_resolves_bf16_before_training(monkeypatch):
    "With the CPU's bf16 reported absent, 'auto' becomes float32 and an explicit True is refused at once."
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(train, "native_bf16", lambda device: (False, "not native on this CPU"))
    assert resolve_profile(PROFILES, "smoke").bf16 is False                # device 'auto' -> cpu here
    with pytest.raises(ValueError, match=r"bf16=True was requested but cpu has no native bf16"):
        resolve_profile(PROFILES, "smoke", "auto", bf16=True)
    monkeypatch.setattr(train, "native_bf16", lambda device: (True, "native on this CPU: amx_bf16"))
    assert resolve_profile(PROFILES, "smoke", "cpu").bf16 is True
    assert resolve_profile(PROFILES, "smoke", "cpu", bf16=False).bf16 is False


@pytest.mark.parametrize("make, exc, message", [
    (lambda: Capacity(Constant(-5)), ValueError, "capacity C must be >= 0, got Constant(value=-5)"),
    (lambda: Capacity.annealed(-5.0), ValueError, "capacity C must be >= 0, got Linear(start=0.0, end=-5.0"),
    (lambda: ELBO(Linear(-1.0, 1.0, 2)), ValueError, "the KL weight must be >= 0"),
    (lambda: ELBO(extra={"bow": Constant(-1.0)}), ValueError, "the weight of term 'bow' must be >= 0"),
    (lambda: Linear(0, 1, epochs=-3), ValueError, "Linear.epochs must be >= 0"),
    (lambda: Constant(float("inf")), ValueError, "Constant.value must be a finite number, got inf"),
    (lambda: Decoding.parse("top_k:abc"), ValueError, "'top_k:abc': the value of top_k must be an integer, got 'abc'; "
                                                      "e.g. 'top_k:15'"),
])
def test_objectives_and_decoding_refuse_bad_values(make, exc, message):
    with pytest.raises(exc) as e:
        make()
    assert message in str(e.value)


def test_require_corpora_lists_every_missing_corpus(tmp_path, monkeypatch):
    "`datasets=['toy', 'yahoo']` with no Yahoo files: one error up front, naming each missing corpus; toy needs none."
    monkeypatch.setenv("VAEPAPERS_DATA", str(tmp_path / "none"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(vdata, "project_data_dir", lambda: None)
    require_corpora(["toy"])
    with pytest.raises(CorpusNotFoundError) as e:
        require_corpora(["toy", "yahoo", "yelp"], download=False)
    msg = str(e.value)
    assert msg.startswith("2 problem(s) with the corpora of this run; nothing was trained")
    assert "corpus 'yahoo' not found" in msg and "corpus 'yelp' not found" in msg and "'toy'" not in msg


# --- §3: files written whole ------------------------------------------------------------------------------------

# The child writes a new run over `out`; every file it opens for writing in `out` is cut off after half of the
# first write, and the child then dies: SIGKILLed by the parent ("kill"), or os._exit inside the write ("exit").
# It does not matter how write_run writes (pandas, pathlib, json): every open() for writing in `out` is caught.
CHILD = textwrap.dedent("""
    import builtins, io, os, sys, time
    from pathlib import Path
    import pandas as pd
    from vaepapers.reproduce import write_run

    mode, out = sys.argv[1], Path(sys.argv[2]).resolve()
    real_open = io.open

    class CutOff:
        def __init__(self, f):
            self.f = f
        def write(self, data):
            self.f.write(data[: len(data) // 2]); self.f.flush(); os.fsync(self.f.fileno())
            if mode == "exit":
                os._exit(3)
            print("cut", flush=True)
            time.sleep(120)
        def __getattr__(self, name):
            return getattr(self.f, name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.f.close()

    def cutting_open(file, mode_="r", *a, **kw):
        f = real_open(file, mode_, *a, **kw)
        writing = any(c in mode_ for c in "wax+")
        if writing and isinstance(file, (str, os.PathLike)) and Path(file).resolve().parent == out:
            return CutOff(f)
        return f

    builtins.open = io.open = cutting_open
    rows = pd.DataFrame({"model": [f"model {i}" for i in range(50_000)], "seed": 1, "nll": 123.456, "kl": 7.0})
    write_run(out, rows, {"profile": "new"}, time.time(), {"new": "0" * 64}, device="cpu",
              tables={"by_bucket.csv": rows.head(1000)})
    print("finished", flush=True)
""")


@pytest.mark.parametrize("mode", ["kill", "exit"])
def test_killed_writer_leaves_old_files_intact(tmp_path, mode):
    out = tmp_path / "run"
    old = pd.DataFrame({"model": ["A", "B"], "seed": [0, 0], "nll": [1.0, 2.0], "train_secs": [3.0, 4.0]})
    write_run(out, old, {"profile": "old"}, time.time(), {"old": "1" * 64}, device="cpu",
              tables={"by_bucket.csv": old.head(1)})
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == {"results.csv", "meta.json", "by_bucket.csv"}

    child = subprocess.Popen([sys.executable, "-c", CHILD, mode, str(out)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        if mode == "kill":
            line = child.stdout.readline()                                 # the child is now stuck mid-write
            assert line.strip() == "cut", (line, child.stderr.read() if child.poll() is not None else "")
            child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == (-signal.SIGKILL if mode == "kill" else 3), child.stderr.read()

    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert after == before                                                 # every old file, byte for byte
    stray = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert stray and all(".tmp" in name for name in stray)                 # the half-written file is a temp file
    json.loads(before["meta.json"])                                        # ...and the old meta.json still parses

    write_run(out, old.assign(nll=[5.0, 6.0]), {"profile": "next"}, time.time(), device="cpu",
              tables={"by_bucket.csv": old})
    assert sorted(p.name for p in out.iterdir()) == ["by_bucket.csv", "meta.json", "results.csv"]  # cleaned up
    assert pd.read_csv(out / "results.csv").nll.tolist() == [5.0, 6.0]


# --- §3: results.csv byte-identical across two runs of the same seed --------------------------------------------

@pytest.fixture
def one_thread():
    "A tiny model: one thread (two threads of a 16-unit LSTM only contend, badly so on a busy 2-core runner)."
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def test_two_same_seed_runs_write_byte_identical_results(tmp_path, one_thread):
    data = load_data("toy", max_train=200).subset("valid", 64).subset("test", 64)
    cfg = TrainConfig(epochs=1, max_steps_per_epoch=3, progress=False, seed=0, bf16=False)
    make = lambda: LSTMVAE(LSTMVAEConfig(len(data.vocab), 8, 16, z_dim=4), unk_id=data.vocab.unk)
    for k in ("a", "b"):                                                   # separate run dirs: both really train
        _, row = train_and_evaluate(make, data, ELBO(Linear(0, 1, 1)), cfg, tmp_path / "runs" / k)
        results = pd.DataFrame([{"dataset": "toy", "model": "LSTM-VAE", "seed": 0} | row])
        time.sleep(0.01)
        write_run(tmp_path / k, results, {"profile": "smoke"}, time.time(), data.checksums, device="cpu", bf16=False)
    a, b = (json.loads((tmp_path / k / "meta.json").read_text()) for k in ("a", "b"))
    assert a["timings"][0]["wall_secs"] != b["timings"][0]["wall_secs"]   # the runs' timings differ ...
    assert (tmp_path / "a" / "results.csv").read_bytes() == (tmp_path / "b" / "results.csv").read_bytes()  # not so
    header = (tmp_path / "a" / "results.csv").read_text().splitlines()[0].split(",")
    assert "train_secs" not in header and "wall_secs" not in header and "nll" in header
    assert {"dataset", "model", "seed", "train_secs", "wall_secs"} <= set(a["timings"][0])
    assert a["results_sha256"] == hashlib.sha256((tmp_path / "a" / "results.csv").read_bytes()).hexdigest()


# --- §3: what meta.json says --------------------------------------------------------------------------------------

def _cpu_model_name() -> str | None:
    "The x86 Linux CPU model name, read here independently of vaepapers (None elsewhere)."
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_meta_device_data_and_git(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    toy = load_data("toy")
    corpus = tmp_path / "corpora" / "ptb"                                  # a small file-based corpus
    corpus.mkdir(parents=True)
    for fs in REGISTRY["ptb"].splits.values():
        (corpus / fs.filename).write_text("the cat sat\na dog ran\n")
    ptb = TextData.from_corpus("ptb", data_dir=tmp_path / "corpora")
    write_run(tmp_path / "run", pd.DataFrame({"seed": [0], "nll": [1.0]}), {}, time.time(),
              toy.checksums | ptb.checksums, device="auto")
    meta = json.loads((tmp_path / "run" / "meta.json").read_text())

    assert meta["device"] == "cpu"                                         # the device used, 'auto' resolved
    assert meta["device_name"] == (_cpu_model_name() or meta["device_name"])  # the CPU's model, not its arch
    assert meta["device_name"] and meta["device_name"] != platform.machine()
    texts = load_corpus("toy")
    for split in ("train", "valid", "test"):                               # the generated corpus is hashed too
        text = "".join(line + "\n" for line in texts[split]["text"][:])
        assert meta["data_sha256"][f"toy/{split}.txt (generated)"] == hashlib.sha256(text.encode()).hexdigest()
    for fs in REGISTRY["ptb"].splits.values():                             # and every corpus file read
        path = corpus / fs.filename
        assert meta["data_sha256"][str(path)] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(meta["data_sha256"]) == 6
    assert meta["git"]["commit"] == _git("rev-parse", "HEAD").strip()
    assert meta["git"]["dirty"] == bool(_git("status", "--porcelain", "--untracked-files=no").strip())
    assert "bf16" not in meta                                              # not given: not claimed


def test_meta_bf16_is_the_resolved_setting(tmp_path, monkeypatch):
    "With the CPU's bf16 reported absent, 'auto' is recorded as float32 (false) and an explicit True is refused."
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(train, "native_bf16", lambda device: (False, "no avx512_bf16/amx_bf16 (test)"))
    res = pd.DataFrame({"seed": [0], "nll": [1.0]})
    write_run(tmp_path / "auto", res, {}, time.time(), device="auto", bf16="auto")
    assert json.loads((tmp_path / "auto" / "meta.json").read_text())["bf16"] is False
    monkeypatch.setattr(train, "native_bf16", lambda device: (True, "amx_bf16 (test)"))
    write_run(tmp_path / "native", res, {}, time.time(), device="cpu", bf16="auto")
    assert json.loads((tmp_path / "native" / "meta.json").read_text())["bf16"] is True
    monkeypatch.setattr(train, "native_bf16", lambda device: (False, "no avx512_bf16/amx_bf16 (test)"))
    with pytest.raises(ValueError, match="bf16=True was requested"):
        write_run(tmp_path / "forced", res, {}, time.time(), device="cpu", bf16=True)
