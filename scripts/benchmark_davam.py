#!/usr/bin/env python
"""Speed of DAVAM's two training stages on this machine (issue 10 §7), judged against its own matmul peak.

On real PTB (`--data-dir`, or $VAEPAPERS_DATA), DAVAM at the released defaults (K 512, code dim 32, emb/hidden 256,
batch 32, SGD, clip 5; PixelCNN prior of `--prior-depth` blocks, 512 channels, kernel 5):

1. stage 1 (posterior: encoder + VQ + attention decoder, Rec + β·commitment): predicted tokens per second, fp32 and
   under bf16 autocast where the device has native bf16;
2. stage 2 (the PixelCNN prior on the frozen posterior's codes, Eq. 9): optimisation steps per second, fp32 and bf16;
3. the bf16 accuracy check of stage 2: from the same prior init, on the same batches, `--check-steps` steps in fp32
   and in bf16; the validation cross-entropy (per position, evaluated in fp32) must move < 1 %;
4. the matmul peak (`benchmark.matmul_peak`) and each rate's achieved FLOP/s as a fraction of it (FLOPs counted
   analytically below).

The reference: DAVAM's released code on this machine kind (2 cores, fp32) trains stage 1 at ≈ 990 tokens/s (a Python
loop over `LSTMCell`) and the prior at ≈ 1.22 steps/s (the issue's figures). Targets: stage 1 ≥ 3× (fp32), prior
≥ 2× with bf16. Windows alternate between precisions, as in `benchmark.py`.

    python scripts/benchmark_davam.py --data-dir DATA               # ~5 min on 2 CPU cores
    python scripts/benchmark_davam.py --data-dir DATA --quick       # a check that it runs
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import (Window, data_dir_or_exit, matmul_peak, predicted_tokens, summarise,  # noqa: E402
                       timing_device)

from vaepapers.models.davam import DAVAM, DAVAMConfig, davam_stages  # noqa: E402
from vaepapers.text import TextData  # noqa: E402
from vaepapers.train import TrainConfig, autocast, seed_everything  # noqa: E402

BATCH, CLIP = 32, 5.0
REFERENCE = {"stage1_tokens_per_sec": 990.0, "prior_steps_per_sec": 1.22}      # released code, 2 cores, fp32


# ----------------------------------------------------------------------------------------------------------------
# Analytic FLOPs (multiply-add = 2; matrix products only). e = emb, m = hidden, d = code dim, V = vocab, K = codes,
# C = prior channels, k = kernel, D = prior depth, H = head hidden; a sentence has T + 2 positions, T + 1 predictions.
#   encoder LSTM per position 2·4m(e + m); projection m -> d: 2md; distances to K codes: 2dK; keys d -> m: 2dm
#   decoder per step: LSTMCell input [emb; context; h0] -> 2·4m(e + 2m + m); attention query m -> m: 2m²;
#     scores and context over L = T + 2 keys: 2·L·m each; key projection once per position: 2m²; output 2m -> V: 4mV
#   prior per position: D blocks of conv C -> 2C (k taps) and 1x1 C -> C: 2·(2C·C·k + C²); head 2·(C·H + H·K)
#   training = 3 x forward
# ----------------------------------------------------------------------------------------------------------------
def stage1_flops(c: DAVAMConfig, T: int) -> float:
    e, m, d, V, K, L = c.emb_dim, c.hidden_dim, c.code_dim, c.vocab_size, c.K, T + 2
    enc = L * (2 * 4 * m * (e + m) + 2 * m * d + 2 * d * K + 2 * d * m + 2 * m * m)
    dec = (T + 1) * (2 * 4 * m * (e + 3 * m) + 2 * m * m + 4 * L * m + 4 * m * V)
    return 3 * (enc + dec)


def prior_flops(c: DAVAMConfig, T: int) -> float:
    C, k, D, H, K = c.prior_channels, c.prior_kernel, c.prior_depth, c.prior_head_hidden, c.K
    return 3 * (T + 2) * (D * 2 * (2 * C * C * k + C * C) + 2 * (C * H + H * K))


def step(model, x, objective, params, opt, device, bf16: bool, t: float):
    with autocast(device, bf16):
        loss, _ = objective(model(x), t)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, CLIP)
    opt.step()


def stage(model: DAVAM, which: str, cfg1: TrainConfig, cfg2: TrainConfig):
    "(objective, trained parameters) of stage `which` ('posterior' or 'prior'), prepared as fit_stages prepares it."
    s = {st.name: st for st in davam_stages(model, cfg1, cfg2)}[which]
    s.prepare(model)
    return s.objective, list(s.params(model))


def bench(config, batches, device, precisions, which: str, steps: int, warmup: int, window: int, seed: int,
          unit: str) -> dict:
    "Rate of `which` per precision over `steps` steps after `warmup`, in alternating windows."
    cfg1, cfg2 = TrainConfig(), TrainConfig(lr=0.5)
    runs = {}
    for p in precisions:
        seed_everything(seed)
        model = DAVAM(config).to(device).train()
        objective, params = stage(model, which, cfg1, cfg2)
        opt = torch.optim.SGD(params, lr=cfg2.lr if which == "prior" else cfg1.lr)
        for x in batches[:warmup]:
            step(model, x.to(device), objective, params, opt, device, p == "bf16", 0.0)
        runs[p] = (model, objective, params, opt)
    count = stage1_flops if which == "posterior" else prior_flops
    windows = {p: [] for p in precisions}
    for s in range(warmup, warmup + steps, window):
        chunk = batches[s:s + window]
        n = sum(predicted_tokens(x) for x in chunk) if unit == "tokens" else len(chunk)
        flops = sum(len(x) * count(config, x.shape[1] - 2) for x in chunk)
        for p in precisions:
            model, objective, params, opt = runs[p]
            with Window(device) as w:
                for x in chunk:
                    step(model, x.to(device), objective, params, opt, device, p == "bf16", 0.0)
            windows[p].append({unit: n, "flops": flops, "seconds": w.seconds, "cpu_share": w.cpu_share})
    return {p: summarise(windows[p], unit) for p in precisions}


@torch.no_grad()
def prior_ce(model: DAVAM, batches, device) -> float:
    "Validation cross-entropy of the prior per latent position (fp32)."
    model.eval()
    total, n = 0.0, 0
    for x in batches:
        out = model(x.to(device))
        total += out["kl"].double().sum().item()
        n += int(model.latent_mask(x.to(device)).sum())
    return total / n


def accuracy_check(config, train, valid, device, steps: int, seed: int) -> dict:
    "Prior CE after `steps` stage-2 steps from the same init and batches, fp32 vs bf16 (and a second fp32 order)."
    out = {}
    for name, bf16, order in (("fp32", False, train), ("bf16", True, train), ("fp32_other_order", False, train[::-1])):
        seed_everything(seed)
        model = DAVAM(config).to(device).train()
        seed_everything(seed + 1)                                  # the same posterior: train it identically
        objective, params = stage(model, "posterior", TrainConfig(), TrainConfig(lr=0.5))
        opt = torch.optim.SGD(params, lr=1.0)
        for x in train[:steps]:
            step(model, x.to(device), objective, params, opt, device, False, 0.0)
        objective, params = stage(model, "prior", TrainConfig(), TrainConfig(lr=0.5))
        opt = torch.optim.SGD(params, lr=0.5)
        for x in order[:steps]:
            step(model, x.to(device), objective, params, opt, device, bf16, 0.0)
        out[name] = prior_ce(model, valid, device)
    out["rel_diff"] = abs(out["bf16"] - out["fp32"]) / out["fp32"]
    out["rel_spread"] = abs(out["fp32_other_order"] - out["fp32"]) / out["fp32"]
    return out


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=None)
    p.add_argument("--device", default="auto")
    p.add_argument("--K", type=int, default=512)
    p.add_argument("--prior-depth", type=int, default=15, help="15: the released code (the reference); paper 16")
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--prior-steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--check-steps", type=int, default=100, help="steps of the bf16 accuracy check (0 = skip)")
    p.add_argument("--quick", action="store_true", help="few steps, no accuracy check")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.quick:
        args.steps, args.prior_steps, args.warmup, args.window, args.check_steps = 6, 4, 1, 2, 0
    data_dir = data_dir_or_exit(p, args.data_dir)
    t0 = time.perf_counter()
    device, precisions, why = timing_device(args.device)
    data = TextData.from_corpus("ptb", data_dir=data_dir)
    config = DAVAMConfig(vocab_size=len(data.vocab), kind="davam", K=args.K, prior_depth=args.prior_depth)
    train = data.batches("train", BATCH, shuffle=True, seed=args.seed)
    valid = data.batches("valid", 64)[:10]
    print(f"# {config}\n# device {device}, {torch.get_num_threads()} threads, torch {torch.__version__}; bf16: {why}")
    peak = {pr: matmul_peak(device, torch.float32 if pr == "fp32" else torch.bfloat16)["gflops"] for pr in precisions}
    print("matmul peak: " + ", ".join(f"{pr} {v:.0f} GFLOP/s" for pr, v in peak.items()), flush=True)
    s1 = bench(config, train, device, precisions, "posterior", args.steps, args.warmup, args.window, args.seed, "tokens")
    s2 = bench(config, train, device, precisions, "prior", args.prior_steps, args.warmup, args.window, args.seed, "steps")
    results = {"peak": peak, "stage1": s1, "prior": s2}
    print(f"\n{'':34s}" + "".join(f"{pr:>16s}" for pr in precisions) + "   released code (fp32)")
    print(f"{'stage 1, tokens/s':34s}" + "".join(f"{s1[pr]['rate']:16.0f}" for pr in precisions)
          + f"   {REFERENCE['stage1_tokens_per_sec']:.0f}")
    print(f"{'  x released code':34s}" + "".join(f"{s1[pr]['rate'] / REFERENCE['stage1_tokens_per_sec']:15.2f}x"
                                                for pr in precisions) + "   target >= 3x (fp32)")
    print(f"{'  % of matmul peak':34s}" + "".join(f"{100 * s1[pr]['gflops'] / peak[pr]:15.0f}%" for pr in precisions))
    print(f"{'prior, steps/s':34s}" + "".join(f"{s2[pr]['rate']:16.2f}" for pr in precisions)
          + f"   {REFERENCE['prior_steps_per_sec']:.2f}")
    print(f"{'  x released code':34s}" + "".join(f"{s2[pr]['rate'] / REFERENCE['prior_steps_per_sec']:15.2f}x"
                                                for pr in precisions) + "   target >= 2x (bf16)")
    print(f"{'  % of matmul peak':34s}" + "".join(f"{100 * s2[pr]['gflops'] / peak[pr]:15.0f}%" for pr in precisions))
    print(f"{'CPU share (min over windows)':34s}" + "".join(
        f"{min(s1[pr]['cpu_share_min'], s2[pr]['cpu_share_min']):16.2f}" for pr in precisions))
    if args.check_steps and "bf16" in precisions:
        acc = accuracy_check(config, train, valid, device, args.check_steps, args.seed)
        results["accuracy"] = acc
        print(f"\nprior cross-entropy per position after {args.check_steps} steps: fp32 {acc['fp32']:.4f}, bf16 "
              f"{acc['bf16']:.4f}: rel. diff {100 * acc['rel_diff']:.2f} % (target < 1 %); fp32 with the batches "
              f"reversed {acc['fp32_other_order']:.4f} ({100 * acc['rel_spread']:.2f} %)")
    print(f"total {(time.perf_counter() - t0) / 60:.1f} min")
    return results


if __name__ == "__main__":
    main()
