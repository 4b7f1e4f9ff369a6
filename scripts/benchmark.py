#!/usr/bin/env python
"""Speed and bf16 accuracy of the Kruengkrai PTB LSTM-VAE on this machine.

Measures, on one device, for `kruengkrai_config('ptb', V)` (emb 100, hidden 400, z 32; batch 32, SGD lr 1, clip 5,
ELBO with the KL weight annealed 0 -> 1 over 10 epochs), on real PTB:

1. training throughput, predicted tokens (words + </s>) per second, fp32 and under bf16 autocast;
2. IW-NLL(500) evaluation throughput, sentences per second (`vaepapers.metrics.iw_log_px`), fp32 and bf16, with
   the chunk size (samples per decoder call) chosen by a short sweep, on validation sentences of the mean length;
3. the matmul peak of the machine (large square matmuls through torch.mm and, on the CPU, oneDNN; the better of
   the two), and the achieved FLOP/s of 1 and 2 as a fraction of it (FLOPs counted analytically, `flops_per_sentence`);
4. the bf16 accuracy check: from the same init, on the same batches with the same dropout/posterior noise, train
   `--check-steps` steps in fp32 and in bf16 and compare the validation NLL (-ELBO per sentence, evaluated in fp32).
   Training is chaotic, so a tiny rounding difference already moves the NLL after a few hundred steps; a second fp32
   run with other noise gives the run-to-run spread to compare the bf16 difference with.

fp32 and bf16 are timed in alternating windows (so both see the same machine load); the table shows the rate over
all of them, the best window (the machine's speed when nothing else runs) and the median window. On a shared machine
other jobs can halve any number: compare the "CPU share" line and the best-vs-median gap.

    python scripts/benchmark.py                      # everything, both precisions: ~7 min on 2 CPU cores
    python scripts/benchmark.py --no-bf16 --steps 20 --check-steps 0 --json out.json
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

from vaepapers.data import TextData
from vaepapers.metrics import elbo_summary, elbo_terms, iw_log_px, n_predicted
from vaepapers.models.lstm_vae import LSTMVAE, kruengkrai_config
from vaepapers.objectives import ELBO, Linear
from vaepapers.train import autocast, resolve_device, seed_everything

BATCH, LR, CLIP, ANNEAL_EPOCHS = 32, 1.0, 5.0, 10.0           # Kruengkrai et al. 2019, §5.1
REFERENCE = {"train": 4000.0, "iw": 1.2}                      # He et al. reference code, same config, 2-core machine
TARGET_SPEEDUP = {"fp32": 1.0, "bf16": 2.0}                    # x REFERENCE
TARGET_REL_DIFF = 0.005


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
    "a @ b through oneDNN on the CPU, or None. (torch.mm runs float32 through MKL, ~2x slower on AMD CPUs.)"
    try:
        lp = torch.ops.mkldnn._linear_pointwise
    except (AttributeError, RuntimeError):
        return None
    return (lambda a, b: lp(a, b.t(), None, "none", [], "")) if torch.backends.mkldnn.is_available() else None


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
        n, flops = sum(int(n_predicted(x).sum()) for x in chunk), train_flops(cfg, chunk)
        for p in precisions:
            model, opt = runs[p]
            with Window(device) as w:
                train_steps(model, chunk, device, p == "bf16", start_step=s, optimizer=opt,
                            steps_per_epoch=len(batches))
            windows[p].append({"tokens": n, "flops": flops, "seconds": w.seconds, "cpu_share": w.cpu_share})
    return {p: summarise(windows[p], "tokens") for p in precisions}


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
def valid_nll(model, data, device, seed: int, bf16: bool = False) -> dict:
    "ELBO summary on the validation split (fp32 unless `bf16`), with a fixed noise seed."
    torch.manual_seed(seed)
    with autocast(device, bf16):
        return elbo_summary(elbo_terms(model, data.batches("valid", 64)))


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
def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--data-dir", default=os.environ.get("VAEPAPERS_DATA", "/work/shared/data"))
    p.add_argument("--device", default="auto")
    p.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=None,
                   help="only bf16 (--bf16) or only fp32 (--no-bf16); both by default")
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
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None, help="also write all numbers (and every timing window) to this file")
    args = p.parse_args(argv)

    t_start = time.perf_counter()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    precisions = {None: ["fp32", "bf16"], True: ["bf16"], False: ["fp32"]}[args.bf16]
    data = TextData.from_corpus("ptb", data_dir=args.data_dir)
    cfg = kruengkrai_config("ptb", len(data.vocab))
    train_batches = data.batches("train", BATCH, shuffle=True, seed=args.seed)
    if args.warmup + args.steps > len(train_batches) or args.check_steps > len(train_batches):
        sys.exit(f"at most {len(train_batches)} training steps (one epoch) can be used")
    env = {"device": str(device), "threads": torch.get_num_threads(), "torch": torch.__version__,
           "cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
           "config": {k: getattr(cfg, k) for k in ("vocab_size", "emb_dim", "hidden_dim", "z_dim")}}
    print(f"# {cfg}\n# device {device}, {env['threads']} threads, torch {torch.__version__}", flush=True)
    results: dict = {"env": env, "args": vars(args)}

    # 3. peaks (first, reused for the fractions)
    peak = {pr: matmul_peak(device, torch.float32 if pr == "fp32" else torch.bfloat16) for pr in precisions}
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
    results["seconds"] = time.perf_counter() - t_start

    print_table(results, precisions, args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    return results


def print_table(r: dict, precisions: list[str], args) -> None:
    peak, train, iw = r["peak"], r["train"], r["iw"]
    w = 14
    print(f"\n{'':<26}" + "".join(f"{p:>{w}}" for p in precisions) + f"{'reference':>{w}}  target")
    row = lambda name, vals, ref="", tgt="": print(f"{name:<26}" + "".join(f"{v:>{w}}" for v in vals)
                                                   + f"{ref:>{w}}  {tgt}")
    row("matmul peak GFLOP/s", [f"{peak[p]['gflops']:.0f}" for p in precisions])
    for lib in peak[precisions[0]]["per_library"]:
        row(f"  {lib}", [f"{peak[p]['per_library'].get(lib, float('nan')):.0f}" for p in precisions])
    def tgt(kind, p=None):
        if kind == "iw" and iw["k"] != 500:
            return None if p else ""
        t = {q: TARGET_SPEEDUP[q] * REFERENCE[kind] for q in precisions}
        return t[p] if p else "  ".join(f"{q} >= {v:g}" for q, v in t.items())
    mark = lambda v, kind, p: "" if tgt(kind, p) is None else (" ok" if v >= tgt(kind, p) else " SHORT")
    row(f"train tokens/s ({train[precisions[0]]['tokens']} tok)",
        [f"{train[p]['rate']:.0f}{mark(train[p]['rate'], 'train', p)}" for p in precisions],
        f"{REFERENCE['train']:.0f}", tgt("train"))
    row("  best window / median", [f"{train[p]['best']:.0f}/{train[p]['median']:.0f}" for p in precisions])
    row("  GFLOP/s, % of peak", [f"{train[p]['gflops']:.0f} {100 * train[p]['fraction_of_peak']:.0f}%"
                                 for p in precisions])
    row(f"IW({iw['k']}) sentences/s", [f"{iw[p]['rate']:.2f}{mark(iw[p]['rate'], 'iw', p)}" for p in precisions],
        f"{REFERENCE['iw']:.1f}", tgt("iw"))
    row("  best window / median", [f"{iw[p]['best']:.2f}/{iw[p]['median']:.2f}" for p in precisions])
    row("  GFLOP/s, % of peak", [f"{iw[p]['gflops']:.0f} {100 * iw[p]['fraction_of_peak']:.0f}%"
                                 for p in precisions])
    row("  chunk (samples/call)", [str(iw[p]["chunk"]) for p in precisions])
    row("  IW-NLL of the sample", [f"{iw[p]['nll_iw']:.3f}" for p in precisions])
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
    print(f"total {r['seconds'] / 60:.1f} min")


if __name__ == "__main__":
    main()
