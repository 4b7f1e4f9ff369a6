#!/usr/bin/env python
"""Speed and bf16 accuracy of the PTB LSTM-VAEs on this machine, judged against its own matmul peak.

Measures, on one device, for `--config kruengkrai` (`kruengkrai_config('ptb', V)`: emb 100, hidden 400, z 32) or
`--config li` (`vaepapers.baselines.he_li_config('ptb', V)`: Li et al.'s 256/256/32, the network of the collapse
baselines); batch 32, SGD lr 1, clip 5, ELBO with the KL weight annealed 0 -> 1 over 10 epochs; on real PTB
(`--data-dir`, or $VAEPAPERS_DATA):

1. training throughput, predicted tokens (words + </s>) per second, fp32 and under bf16 autocast;
2. IW-NLL(500) evaluation throughput, sentences per second (`vaepapers.metrics.iw_log_px`), fp32 and bf16, with
   the chunk size (samples per decoder call) chosen by a short sweep, on validation sentences of the mean length;
3. the matmul peak of the machine (large square matmuls through torch.mm and, on the CPU, oneDNN; the better of
   the two), and the achieved FLOP/s of 1 and 2 as a fraction of it (FLOPs counted analytically, `flops_per_sentence`).
   That fraction is what is judged: tokens/s depend on the host, the fraction of the host's own peak does not
   (pass: >= --min-fraction, default 50 %);
4. the bf16 accuracy check: from the same init, on the same batches with the same dropout/posterior noise, train
   `--check-steps` steps in fp32 and in bf16 and compare the validation NLL (-ELBO per sentence, evaluated in fp32).
   Training is chaotic, so a tiny rounding difference already moves the NLL after a few hundred steps; a second fp32
   run with other noise gives the run-to-run spread to compare the bf16 difference with;
5. with `--aggressive`: He et al.'s aggressive training through the real `Trainer` (`TrainConfig(aggressive=True)`,
   separate encoder/decoder optimisers), tokens/s as the Trainer counts them: the encoder-only inner steps' tokens
   included (FLOPs: an inner step counted as a training step on a batch of the epoch's mean size).

fp32 and bf16 are timed in alternating windows (so both see the same machine load); the table shows the rate over
all of them, the best window (the machine's speed when nothing else runs) and the median window. On a shared machine
other jobs can halve any number: compare the "CPU share" line and the best-vs-median gap. bf16 runs only where the
device computes it natively (`vaepapers.train.native_bf16`: CUDA with bf16; a CPU with avx512_bf16 or amx_bf16, or
Arm's bf16 extension); elsewhere the table says "not native on this CPU" (pass --bf16 to time the emulation anyway;
where the emulation cannot run, e.g. oneDNN's LSTM on AMD Zen 3, the script says so and stops).

    python scripts/benchmark.py --data-dir DATA                  # everything: ~7 min on 2 CPU cores
    python scripts/benchmark.py --data-dir DATA --quick          # every stage, few steps: 1-2 min
    python scripts/benchmark.py --data-dir DATA --no-bf16 --steps 20 --check-steps 0 --json out.json
    python scripts/benchmark.py --data-dir DATA --config li --aggressive     # the collapse baselines' network
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

from vaepapers.baselines import he_li_config, he_li_train
from vaepapers.fused_ce import _onednn_linear
from vaepapers.metrics import iw_log_px
from vaepapers.models.lstm_vae import LSTMVAE
from vaepapers.objectives import ELBO, Linear
from vaepapers.papers.kruengkrai import kruengkrai_config
from vaepapers.text import TextData
from vaepapers.train import Trainer, autocast, native_bf16, resolve_device, seed_everything

BATCH, LR, CLIP, ANNEAL_EPOCHS = 32, 1.0, 5.0, 10.0           # Kruengkrai et al. 2019, §5.1
MIN_FRACTION = 0.5                                             # pass bar: achieved FLOP/s >= this x the measured peak
TARGET_REL_DIFF = 0.005
DATA_ENV = "VAEPAPERS_DATA"
CONFIGS = {"kruengkrai": kruengkrai_config, "li": he_li_config}
REFERENCE_TOKENS_PER_SEC = {"li": 5_900, "li_aggressive": 5_800}   # He et al.'s code, 2 cores, fp32 (issue 9)
QUICK = {"aggressive_steps": 4, "steps": 10, "warmup": 2, "window": 5, "iw_sentences": 8, "iw_batch": 8, "iw_k": 50,
         "chunk_candidates": "25,50", "check_steps": 0, "peak_sizes": "1024,2048", "peak_seconds": 0.5}


def data_dir_or_exit(p: argparse.ArgumentParser, data_dir: str | None) -> str:
    "`--data-dir`, else $VAEPAPERS_DATA; without either, one parser error that says what to pass."
    data_dir = data_dir or os.environ.get(DATA_ENV)
    if not data_dir:
        p.error(f"no data folder: pass --data-dir DIR or set ${DATA_ENV} (the folder that holds ptb/)")
    return data_dir


def timing_device(name: str) -> tuple[torch.device, list[str], str]:
    """The device to time on (denormals flushed on a CPU, as the Trainer does: see vaepapers.train, "Denormal
    numbers"), the precisions worth timing there (bf16 only where native) and why bf16 is or is not one."""
    device = resolve_device(name)
    if device.type == "cpu":
        torch.set_flush_denormal(True)
    native, why = native_bf16(device)
    return device, ["fp32", "bf16"] if native else ["fp32"], why


def predicted_tokens(x: torch.Tensor, pad_id: int = 0) -> int:
    "Predicted tokens (words + </s>) of a batch [B, T+2]."
    return int((x[:, 1:] != pad_id).sum())


# ----------------------------------------------------------------------------------------------------------------
# Analytic FLOP counts (a multiply-add is 2 FLOPs; only matrix products are counted, element-wise work is ignored)
#
#   e = emb_dim, m = hidden_dim, n = z_dim, V = vocab size; a sentence x = [B, T+2] has T+1 predicted tokens.
#   LSTM step with input width d:        gates = W_ih x_t + W_hh h_{t-1}   ->  2 * 4m * (d + m)
#   encoder (reads all T+2 tokens):      2 * 4m * (e + m)              per input token
#   decoder (T+1 steps, input [w; z]):   2 * 4m * (e + n + m)          per predicted token
#   output projection M1 (m -> V):       2 * m * V                     per predicted token  (~80 % of the total)
#   posterior heads M3, M4; h0 = M2 z:   2 * (2 m n) + 2 n m           per sentence (negligible)
#   training step = forward + backward, backward ~= 2 x forward (gradients w.r.t. inputs and weights): 3 x forward.
#   IW-NLL(k): the encoder once, the decoder (with h0) and M1 k times per sentence, forward only.
# ----------------------------------------------------------------------------------------------------------------
def flops_per_sentence(cfg, T: int, k: int | None = None) -> float:
    "Forward FLOPs of one sentence of T words: one training forward (k=None) or IW with k decoder passes."
    e, m, n, V = cfg.emb_dim, cfg.hidden_dim, cfg.z_dim, cfg.vocab_size
    enc = (T + 2) * 2 * 4 * m * (e + m) + 2 * (2 * m * n)
    dec = (T + 1) * (2 * 4 * m * (e + n + m) + 2 * m * V) + 2 * n * m
    return enc + dec * (1 if k is None else k)


def train_flops(cfg, batches) -> float:
    "FLOPs of training steps on `batches` (forward + backward = 3 x forward)."
    return sum(3 * len(x) * flops_per_sentence(cfg, x.shape[1] - 2) for x in batches)


def iw_flops(cfg, batches, k: int) -> float:
    return sum(len(x) * flops_per_sentence(cfg, x.shape[1] - 2, k) for x in batches)


# ----------------------------------------------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------------------------------------------
def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class Window:
    """Times a block: wall seconds and this process's CPU share = CPU time / (wall x threads).

    The share is ~1 when the process has the cores to itself and drops when other processes of this machine compete
    (a hypervisor taking the cores away is invisible to it: then only the best-vs-median gap shows it)."""

    def __init__(self, device):
        self.device = device

    def __enter__(self):
        sync(self.device)
        t = os.times()
        self.cpu0, self.t0 = t.user + t.system, time.perf_counter()
        return self

    def __exit__(self, *exc):
        sync(self.device)
        t = os.times()
        self.seconds = time.perf_counter() - self.t0
        self.cpu_share = (t.user + t.system - self.cpu0) / max(self.seconds * torch.get_num_threads(), 1e-9)


def summarise(windows: list[dict], unit: str) -> dict:
    "Overall rate (all `unit`s / all seconds), best and median window, GFLOP/s overall and in the best window."
    total, seconds = sum(w[unit] for w in windows), sum(w["seconds"] for w in windows)
    rates = [w[unit] / w["seconds"] for w in windows]
    best = max(range(len(rates)), key=rates.__getitem__)
    return {"rate": total / seconds, "best": rates[best], "median": statistics.median(rates),
            "gflops": sum(w["flops"] for w in windows) / seconds / 1e9,
            "gflops_best": windows[best]["flops"] / windows[best]["seconds"] / 1e9,
            "cpu_share_min": min(w["cpu_share"] for w in windows), "seconds": seconds, unit: total,
            "windows": windows}


# ----------------------------------------------------------------------------------------------------------------
# 3. Matmul peak
# ----------------------------------------------------------------------------------------------------------------
def _onednn_mm():
    "a @ b through oneDNN on the CPU (the op of `vaepapers.fused_ce`), or None; torch.mm's MKL is ~2x slower on AMD."
    if _onednn_linear is None:
        return None
    return lambda a, b: _onednn_linear(a, b.t(), None, "none", [], "")


def matmul_peak(device: torch.device, dtype: torch.dtype, sizes=(2048, 4096), seconds: float = 1.5) -> dict:
    "Best GFLOP/s of square matmuls over `sizes` and libraries (torch.mm; oneDNN on the CPU), timed repeatedly."
    libs = {"torch.mm": torch.mm}
    if device.type == "cpu" and (dnnl := _onednn_mm()) is not None:
        libs["oneDNN"] = dnnl
    per_lib = {}
    for name, mm in libs.items():
        for n in sizes:
            a, b = (torch.randn(n, n, device=device).to(dtype) for _ in range(2))
            mm(a, b); sync(device)
            rates, t_end = [], time.perf_counter() + seconds
            while time.perf_counter() < t_end or len(rates) < 3:
                t = time.perf_counter(); mm(a, b); sync(device)
                rates.append(2 * n ** 3 / (time.perf_counter() - t) / 1e9)
            per_lib[name] = max(per_lib.get(name, 0.0), max(rates))
    return {"gflops": max(per_lib.values()), "per_library": per_lib}


# ----------------------------------------------------------------------------------------------------------------
# 1. Training throughput
# ----------------------------------------------------------------------------------------------------------------
def make_model(cfg, device, seed: int) -> LSTMVAE:
    seed_everything(seed)
    return LSTMVAE(cfg).to(device)


def train_steps(model, batches, device, bf16: bool, start_step: int = 0, steps_per_epoch: int = 1359,
                optimizer=None, objective=ELBO(Linear(0.0, 1.0, ANNEAL_EPOCHS))):
    "SGD steps as the trainer takes them (forward under autocast, clip, update); returns the optimizer."
    # the KL weight at step i is that of epoch fraction (start_step + i) / steps_per_epoch
    model.train()
    opt = optimizer or torch.optim.SGD(model.parameters(), lr=LR)
    for i, x in enumerate(batches):
        x = x.to(device, non_blocking=True)
        with autocast(device, bf16):
            loss, _ = objective(model(x), (start_step + i) / steps_per_epoch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
    return opt


def bench_train(cfg, batches, device, precisions, steps: int, warmup: int, window: int, seed: int) -> dict:
    "Tokens/s of each precision over `steps` steps after `warmup`, in alternating windows of `window` steps."
    timed = batches[warmup:warmup + steps]
    shapes = {tuple(x.shape): x for x in timed}                 # one batch of every shape that will be timed
    runs = {}
    for p in precisions:
        # oneDNN builds (JIT-compiles) its LSTM/matmul kernels once per shape; over an epoch that cost is amortised,
        # so every timed shape is run once first, on a throw-away model
        train_steps(make_model(cfg, device, seed + 1), list(shapes.values()), device, p == "bf16")
        model = make_model(cfg, device, seed)
        opt = train_steps(model, batches[:warmup], device, p == "bf16", steps_per_epoch=len(batches))
        runs[p] = (model, opt)
    windows = {p: [] for p in precisions}
    for s in range(warmup, warmup + steps, window):
        chunk = batches[s:min(s + window, warmup + steps)]
        n, flops = sum(predicted_tokens(x) for x in chunk), train_flops(cfg, chunk)
        for p in precisions:
            model, opt = runs[p]
            with Window(device) as w:
                train_steps(model, chunk, device, p == "bf16", start_step=s, optimizer=opt,
                            steps_per_epoch=len(batches))
            windows[p].append({"tokens": n, "flops": flops, "seconds": w.seconds, "cpu_share": w.cpu_share})
    return {p: summarise(windows[p], "tokens") for p in precisions}


# ----------------------------------------------------------------------------------------------------------------
# 5. Aggressive training
# ----------------------------------------------------------------------------------------------------------------
def bench_aggressive(cfg, data, device, precisions, steps: int, seed: int) -> dict:
    "Tokens/s of `steps` outer steps of aggressive training through the Trainer (its count: inner steps' tokens too)."
    batches = data.batches("train", BATCH)
    flops_per_batch = train_flops(cfg, batches) / len(batches)                # an inner step's batch, on average
    out = {}
    for p in precisions:
        model = make_model(cfg, device, seed)
        tcfg = he_li_train(epochs=1, max_steps_per_epoch=steps, aggressive=True, bf16=p == "bf16",
                           device=str(device), progress=False, seed=seed)
        trainer = Trainer(model, data, ELBO(Linear(0.1, 1.0, ANNEAL_EPOCHS)), tcfg)
        with Window(device) as w:
            row = trainer.train_epoch()
        out[p] = {"rate": row["train_words_per_sec"], "inner_steps": row["inner_steps"], "outer_steps": steps,
                  "seconds": w.seconds, "gflops": (steps + row["inner_steps"]) * flops_per_batch / w.seconds / 1e9,
                  "cpu_share_min": w.cpu_share}
    return out


# ----------------------------------------------------------------------------------------------------------------
# 2. IW-NLL throughput
# ----------------------------------------------------------------------------------------------------------------
def iw_sentences(data: TextData, split: str, n: int, batch: int) -> list[torch.Tensor]:
    "n sentences of the split's mean length (then the nearest lengths), in equal-length batches of <= `batch`."
    sents = data.splits[split]
    mean_T = round(sum(len(s) - 2 for s in sents) / len(sents))
    chosen = sorted(range(len(sents)), key=lambda i: (abs(len(sents[i]) - 2 - mean_T), i))[:n]
    by_len: dict[int, list] = {}
    for i in chosen:
        by_len.setdefault(len(sents[i]), []).append(sents[i])
    return [torch.tensor(g[j:j + batch]) for g in by_len.values() for j in range(0, len(g), batch)]


def pick_chunk(model, x, device, bf16: bool, k: int, candidates) -> tuple[int, dict]:
    "The chunk size with the most (sentence, sample) pairs per second on batch x: one decoder call per candidate."
    cands = sorted(c for c in candidates if c <= k) or [k]
    rates = {}
    with autocast(device, bf16):
        iw_log_px(model, x, k=cands[0], chunk=cands[0])                 # warm-up
        for c in cands:
            with Window(device) as w:
                iw_log_px(model, x, k=c, chunk=c)
            rates[c] = c * len(x) / w.seconds
    return max(rates, key=rates.get), rates


def bench_iw(cfg, model, batches, device, precisions, k: int, chunks: dict, seed: int) -> dict:
    "Sentences/s of iw_log_px(k) per precision, one window per batch, precisions alternating; also the estimates."
    windows, est = {p: [] for p in precisions}, {p: [] for p in precisions}
    for i, x in enumerate(batches):
        for p in precisions:
            torch.manual_seed(seed + i)                                 # the same samples in both precisions
            with Window(device) as w, autocast(device, p == "bf16"):
                lp = iw_log_px(model, x, k=k, chunk=chunks[p])
            windows[p].append({"sentences": len(x), "flops": iw_flops(cfg, [x], k), "seconds": w.seconds,
                               "cpu_share": w.cpu_share})
            est[p].append(lp.double().cpu())
    return {p: summarise(windows[p], "sentences") | {"nll_iw": -torch.cat(est[p]).mean().item(), "chunk": chunks[p]}
            for p in precisions}


# ----------------------------------------------------------------------------------------------------------------
# 4. bf16 accuracy check
# ----------------------------------------------------------------------------------------------------------------
@torch.no_grad()
def valid_nll(model, data, device, seed: int, bf16: bool = False) -> dict:
    "-ELBO per sentence (rec + kl) on the validation split (fp32 unless `bf16`), eval mode, a fixed noise seed."
    model.eval()
    torch.manual_seed(seed)
    total, n = 0.0, 0
    with autocast(device, bf16):
        for x in data.batches("valid", 64):
            out = model(x.to(device))
            total += (out["rec"].double() + out["kl"].double()).sum().item()
            n += len(x)
    return {"nll": total / n}


def accuracy_check(cfg, data, batches, device, steps: int, seed: int, control: bool = True) -> tuple[dict, LSTMVAE]:
    """Train fp32 and bf16 from the same init on the same batches with the same noise; compare the valid NLL.

    With `control`, a second fp32 run with other dropout/posterior noise measures the run-to-run spread that the
    bf16 difference should be compared with. Also evaluates the fp32-trained model under bf16 (forward precision
    only)."""
    runs = [("fp32", False, 1), ("bf16", True, 1)] + ([("fp32_other_noise", False, 2)] if control else [])
    res, fp32_model = {}, None
    for name, bf16, noise in runs:
        model = make_model(cfg, device, seed)
        torch.manual_seed(seed + noise)
        with Window(device) as w:
            train_steps(model, batches[:steps], device, bf16, steps_per_epoch=len(batches))
        res[name] = valid_nll(model, data, device, seed + 10) | {"train_seconds": w.seconds}
        if name == "fp32":
            fp32_model = model
    nll = {k: v["nll"] for k, v in res.items()}
    res["rel_diff"] = abs(nll["bf16"] - nll["fp32"]) / nll["fp32"]
    if control:
        res["rel_diff_fp32_runs"] = abs(nll["fp32_other_noise"] - nll["fp32"]) / nll["fp32"]
    res["eval_bf16_of_fp32_model"] = valid_nll(fp32_model, data, device, seed + 10, bf16=True)["nll"]
    res["rel_diff_eval_only"] = abs(res["eval_bf16_of_fp32_model"] - nll["fp32"]) / nll["fp32"]
    return res, fp32_model


# ----------------------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def bf16_failure_explained(precisions: list[str], native: bool, why: str):
    "Exit with one clear line when bf16, timed on request (--bf16) where it is not native, fails (oneDNN's LSTM)."
    try:
        yield
    except RuntimeError as e:
        if "bf16" not in precisions or native:
            raise
        sys.exit(f"bf16 was timed on request (--bf16) although it is {why}, and it failed: {str(e).splitlines()[0]}\n"
                 "Run without --bf16: the table then reports bf16 as not native on this device.")


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--data-dir", default=None,
                   help=f"folder holding the ptb corpus (default: ${DATA_ENV}; one of the two is required)")
    p.add_argument("--device", default="auto")
    p.add_argument("--config", choices=sorted(CONFIGS), default="kruengkrai",
                   help="the network: Kruengkrai's PTB LSTM-VAE (100/400/32) or Li et al.'s (256/256/32)")
    p.add_argument("--aggressive", action="store_true",
                   help="also time He et al.'s aggressive training through the Trainer (stage 5)")
    p.add_argument("--aggressive-steps", type=int, default=20, help="outer steps of the aggressive timing")
    p.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=None,
                   help="only bf16 (--bf16, also where bf16 is emulated) or only fp32 (--no-bf16); "
                        "default: fp32, and bf16 where the device has it natively")
    p.add_argument("--quick", action="store_true",
                   help="every stage with few steps and small IW (k=50), no accuracy check: a check that it runs "
                        "(explicit options still win)")
    p.add_argument("--min-fraction", type=float, default=MIN_FRACTION,
                   help="pass bar: achieved GFLOP/s as a fraction of the measured matmul peak (default %(default)s)")
    p.add_argument("--steps", type=int, default=100, help="timed training steps per precision (after --warmup)")
    p.add_argument("--warmup", type=int, default=5,
                   help="untimed steps before timing (besides one step per batch shape, on a throw-away model)")
    p.add_argument("--window", type=int, default=10, help="training steps per timing window")
    p.add_argument("--iw-sentences", type=int, default=48, help="validation sentences timed for IW-NLL")
    p.add_argument("--iw-batch", type=int, default=16, help="sentences per iw_log_px call (one timing window)")
    p.add_argument("--iw-k", type=int, default=500)
    p.add_argument("--iw-chunk", type=int, default=None, help="samples per decoder call; default: best of a sweep")
    p.add_argument("--chunk-candidates", default="25,50,100")
    p.add_argument("--check-steps", type=int, default=400, help="steps of the bf16 accuracy check (0 = skip)")
    p.add_argument("--no-control", action="store_true", help="skip the second fp32 run of the accuracy check")
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's choice)")
    p.add_argument("--peak-sizes", default="2048,4096", help="square matmul sizes timed for the peak")
    p.add_argument("--peak-seconds", type=float, default=1.5, help="seconds per size and library for the peak")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None, help="also write all numbers (and every timing window) to this file")
    args = p.parse_args(argv)
    if args.quick:                                  # quick defaults; options given explicitly still win
        p.set_defaults(**QUICK)
        args = p.parse_args(argv)
    data_dir = data_dir_or_exit(p, args.data_dir)

    t_start = time.perf_counter()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    bf16_native, bf16_why = native_bf16(device)
    precisions = {None: ["fp32", "bf16"] if bf16_native else ["fp32"], True: ["bf16"], False: ["fp32"]}[args.bf16]
    data = TextData.from_corpus("ptb", data_dir=data_dir)
    cfg = CONFIGS[args.config]("ptb", len(data.vocab))
    train_batches = data.batches("train", BATCH, shuffle=True, seed=args.seed)
    if args.warmup + args.steps > len(train_batches) or args.check_steps > len(train_batches):
        sys.exit(f"at most {len(train_batches)} training steps (one epoch) can be used")
    env = {"device": str(device), "threads": torch.get_num_threads(), "torch": torch.__version__,
           "cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
           "bf16": bf16_why, "data_dir": str(data_dir),
           "config": {k: getattr(cfg, k) for k in ("vocab_size", "emb_dim", "hidden_dim", "z_dim")}}
    print(f"# {cfg}\n# device {device}, {env['threads']} threads, torch {torch.__version__}; bf16: {bf16_why}",
          flush=True)
    results: dict = {"env": env, "args": vars(args)}

    with bf16_failure_explained(precisions, bf16_native, bf16_why):
        # 3. peaks (first, reused for the fractions)
        sizes = tuple(int(n) for n in args.peak_sizes.split(","))
        peak = {pr: matmul_peak(device, torch.float32 if pr == "fp32" else torch.bfloat16, sizes, args.peak_seconds)
                for pr in precisions}
        for pr in precisions:
            libs = ", ".join(f"{k} {v:.0f}" for k, v in peak[pr]["per_library"].items())
            print(f"matmul peak {pr}: {peak[pr]['gflops']:.0f} GFLOP/s ({libs})", flush=True)
        results["peak"] = peak

        # 1. training throughput
        train = bench_train(cfg, train_batches, device, precisions, args.steps, args.warmup, args.window, args.seed)
        for pr in precisions:
            train[pr]["fraction_of_peak"] = train[pr]["gflops"] / peak[pr]["gflops"]
            print(f"train {pr}: {train[pr]['rate']:.0f} tokens/s (best window {train[pr]['best']:.0f})", flush=True)
        results["train"] = train

        # 4. bf16 accuracy (needs both precisions); its fp32-trained model is then used for the IW timings
        model = None
        if args.check_steps > 0 and len(precisions) == 2:
            check, model = accuracy_check(cfg, data, train_batches, device, args.check_steps, args.seed,
                                          control=not args.no_control)
            results["bf16_check"] = check
            print(f"bf16 check after {args.check_steps} steps: valid NLL fp32 {check['fp32']['nll']:.3f}, "
                  f"bf16 {check['bf16']['nll']:.3f} ({100 * check['rel_diff']:.2f}%)", flush=True)
        if model is None:
            model = make_model(cfg, device, args.seed)
        model.eval()

        # 2. IW-NLL throughput
        iw_batches = iw_sentences(data, "valid", args.iw_sentences, args.iw_batch)
        T_iw = sum(len(x) * (x.shape[1] - 2) for x in iw_batches) / sum(len(x) for x in iw_batches)
        chunks, sweeps = {}, {}
        for pr in precisions:
            if args.iw_chunk:
                chunks[pr] = args.iw_chunk
            else:
                cands = [int(c) for c in args.chunk_candidates.split(",")]
                chunks[pr], sweeps[pr] = pick_chunk(model, iw_batches[0], device, pr == "bf16", args.iw_k, cands)
        iw = bench_iw(cfg, model, iw_batches, device, precisions, args.iw_k, chunks, args.seed)
        for pr in precisions:
            iw[pr] |= {"chunk_sweep_pairs_per_s": sweeps.get(pr, {}),
                       "fraction_of_peak": iw[pr]["gflops"] / peak[pr]["gflops"]}
            print(f"IW-NLL({args.iw_k}) {pr}: {iw[pr]['rate']:.2f} sentences/s (best window {iw[pr]['best']:.2f}), "
                  f"chunk {chunks[pr]}", flush=True)
        results["iw"] = iw | {"k": args.iw_k, "mean_words": T_iw, "split": "valid"}
        if len(precisions) == 2:
            a, b = iw["fp32"]["nll_iw"], iw["bf16"]["nll_iw"]
            results["iw"]["rel_diff_nll_iw"] = abs(b - a) / abs(a)

        # 5. aggressive training
        if args.aggressive:
            agg = bench_aggressive(cfg, data, device, precisions, args.aggressive_steps, args.seed)
            for pr in precisions:
                agg[pr]["fraction_of_peak"] = agg[pr]["gflops"] / peak[pr]["gflops"]
                print(f"aggressive {pr}: {agg[pr]['rate']:.0f} tokens/s ({agg[pr]['inner_steps']} inner steps for "
                      f"{agg[pr]['outer_steps']} batches)", flush=True)
            results["aggressive"] = agg
    results["seconds"] = time.perf_counter() - t_start

    results["bf16_native"], results["bf16_note"] = bf16_native, bf16_why
    results["min_fraction"] = args.min_fraction
    results["passed"] = all(d[pr]["fraction_of_peak"] >= args.min_fraction for d in (train, iw) for pr in precisions)
    print_table(results, precisions, args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    return results


def print_table(r: dict, precisions: list[str], args) -> None:
    peak, train, iw, bar = r["peak"], r["train"], r["iw"], r["min_fraction"]
    w = 16
    cols = precisions + ([] if "bf16" in precisions else ["bf16"])     # bf16 always gets a column: timed or why not
    skipped = lambda p: p not in precisions
    print(f"\n{'':<26}" + "".join(f"{p:>{w}}" for p in cols) + "  pass bar")
    def row(name, f, bar_text=""):
        print(f"{name:<26}" + "".join(f"{'-' if skipped(p) else f(p):>{w}}" for p in cols) + f"  {bar_text}")
    if "bf16" not in precisions:
        print(f"{'bf16':<26}" + " " * w * (len(cols) - 1) + f"{'(skipped)':>{w}}  {r['bf16_note']}")
    elif not r["bf16_native"]:
        print(f"bf16 timed on request although {r['bf16_note']} (emulated): its peak and fractions are the emulation's")
    row("matmul peak GFLOP/s", lambda p: f"{peak[p]['gflops']:.0f}")
    for lib in peak[precisions[0]]["per_library"]:
        row(f"  {lib}", lambda p: f"{peak[p]['per_library'].get(lib, float('nan')):.0f}")
    verdict = lambda f: "ok" if f >= bar else "SHORT"
    row(f"train tokens/s ({train[precisions[0]]['tokens']} tok)", lambda p: f"{train[p]['rate']:.0f}")
    row("  best window / median", lambda p: f"{train[p]['best']:.0f}/{train[p]['median']:.0f}")
    row("  GFLOP/s, % of peak", lambda p: f"{train[p]['gflops']:.0f} {100 * train[p]['fraction_of_peak']:.0f}% "
                                          f"{verdict(train[p]['fraction_of_peak'])}", f">= {100 * bar:.0f}% of peak")
    row(f"IW({iw['k']}) sentences/s", lambda p: f"{iw[p]['rate']:.2f}")
    row("  best window / median", lambda p: f"{iw[p]['best']:.2f}/{iw[p]['median']:.2f}")
    row("  GFLOP/s, % of peak", lambda p: f"{iw[p]['gflops']:.0f} {100 * iw[p]['fraction_of_peak']:.0f}% "
                                          f"{verdict(iw[p]['fraction_of_peak'])}", f">= {100 * bar:.0f}% of peak")
    row("  chunk (samples/call)", lambda p: str(iw[p]["chunk"]))
    row("  IW-NLL of the sample", lambda p: f"{iw[p]['nll_iw']:.3f}")
    shares = [d[p]["cpu_share_min"] for d in (train, iw) for p in precisions]
    print(f"\nIW sentences: {sum(w['sentences'] for w in iw[precisions[0]]['windows'])} valid sentences of "
          f"{iw['mean_words']:.1f} words (the split's mean), k = {iw['k']}")
    print(f"timing windows: CPU share >= {min(shares):.2f} (1 = the cores to ourselves); "
          f"best-vs-median gaps show load this process cannot see")
    if "bf16_check" in r:
        c = r["bf16_check"]
        print(f"bf16 check, {args.check_steps} steps from the same init, same batches and noise; "
              "valid NLL (fp32 eval):")
        print(f"  fp32 {c['fp32']['nll']:.3f}   bf16 {c['bf16']['nll']:.3f}   rel. diff {100 * c['rel_diff']:.2f}% "
              f"(target < {100 * TARGET_REL_DIFF:.1f}%: {'ok' if c['rel_diff'] < TARGET_REL_DIFF else 'NOT MET'})")
        if "rel_diff_fp32_runs" in c:
            print(f"  run-to-run spread: fp32 with other noise {c['fp32_other_noise']['nll']:.3f} "
                  f"({100 * c['rel_diff_fp32_runs']:.2f}% from fp32)")
        print(f"  forward precision only: the fp32-trained model evaluated under bf16 "
              f"{c['eval_bf16_of_fp32_model']:.3f} ({100 * c['rel_diff_eval_only']:.3f}%)")
    if "rel_diff_nll_iw" in iw:
        print(f"IW-NLL, fp32 vs bf16 evaluation of the same model and samples: "
              f"rel. diff {100 * iw['rel_diff_nll_iw']:.3f}%")
    if "aggressive" in r:
        a = r["aggressive"]
        print("aggressive training (Trainer, inner steps counted): " + ", ".join(
            f"{p} {a[p]['rate']:.0f} tokens/s, {100 * a[p]['fraction_of_peak']:.0f}% of peak "
            f"({a[p]['inner_steps']} inner steps / {a[p]['outer_steps']} batches)" for p in precisions))
    ref = REFERENCE_TOKENS_PER_SEC
    if args.config == "li":
        for p in precisions:
            goal = 1 if p == "fp32" else 2
            line = f"  vs He et al.'s code ({ref['li']:,} tokens/s fp32): {p} train {train[p]['rate'] / ref['li']:.2f}x"
            if "aggressive" in r:
                line += f", aggressive {r['aggressive'][p]['rate'] / ref['li_aggressive']:.2f}x"
            print(line + f" (target >= {goal}x)")
    print(f"speed: {'PASS' if r['passed'] else 'SHORT'} (every timed precision at >= {100 * r['min_fraction']:.0f}% "
          f"of this machine's measured matmul peak)")
    if min(shares) < 0.8:
        print(f"  caution: other processes took cores during the timings (CPU share down to {min(shares):.2f}); "
              "the fractions read low. Rerun on an idle machine before reading SHORT.")
    print(f"total {r['seconds'] / 60:.1f} min")


if __name__ == "__main__":
    main()
