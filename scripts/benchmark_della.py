#!/usr/bin/env python
"""Speed of DELLA's evaluation, decoding and training on this machine (issue 11 §7), judged against its matmul peak.

On the `cpu` profile's model (`vaepapers.papers.della.PROFILES['cpu']`: a GPT-2 of 4 layers, width 256, 4 heads, the
50,259-id BPE; DELLA with a latent of 32 per layer, rank 4, the paper's variant) and PTB in BPE (`--data-dir`, or
$VAEPAPERS_DATA), in one run:

1. IW-PPL with k = 30 samples, sentences per second, two ways on the same model, sentences and k:
   - the project's (`vaepapers.metrics.iw_log_px`): the encoder once per sentence, the k samples folded into the
     batch of one decoder pass (chunk = iw_log_px's default, so k = 30 is one pass);
   - the released code's way (`reference_iw_log_px` below): for each of the k samples, one full encoder + posterior
     draw + decoder forward, in a Python loop over the samples, on the same batch of sentences.
   Both are checked to give the same log p̂(x) from the same z draws (same seed; the reference is handed the draws
   iw_log_px makes). Target: the project's way >= 5x the loop.
2. Greedy generation of `--gen-tokens` (64) tokens from prior latents, tokens per second: with the KV cache (the
   model's `step`, as `vaepapers.generate.decode` runs it) vs a full forward over the whole prefix at every step
   (the output layer on the last position only, as a fair recomputation would do). Both run exactly 64 steps (no
   stop at </s>) and their greedy ids are asserted equal. Target: the cache >= 5x at 64 tokens.
3. Training tokens per second (predicted BPE tokens) of DELLA as the `cpu` profile trains it (AdamW, batch 32, no
   clipping, the cyclical-β objective) in float32 and under bf16 autocast where the CPU computes bf16 natively
   (`vaepapers.train.native_bf16`), in alternating windows (both precisions see the same machine load), each as a
   fraction of the matmul peak (FLOPs counted analytically below);
4. the matmul peak (`benchmark.matmul_peak`), threads, torch version, and a final table.

The backbone: the `cpu` profile's pretrained checkpoint if `--runs-dir` (default out/runs, as `make cpu`) holds one of
the profile's sizes; otherwise a randomly initialised GPT-2 of those sizes (speed does not depend on the weights; the
output says which). The script never pretrains one.

    python scripts/benchmark_della.py --data-dir DATA                 # everything: ~5-10 min on 2 CPU cores
    python scripts/benchmark_della.py --data-dir DATA --quick         # < 2 min with OMP_NUM_THREADS=1
    python scripts/benchmark_della.py --data-dir DATA --runs-dir out/runs --json della_speed.json
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import (DATA_ENV, Window, data_dir_or_exit, iw_sentences, matmul_peak, predicted_tokens,  # noqa: E402
                       summarise, timing_device)

from vaepapers.gpt2 import GPT2Config  # noqa: E402
from vaepapers.metrics import iw_log_px  # noqa: E402
from vaepapers.models.della import DELLA, della_objective  # noqa: E402
from vaepapers.papers.della import (PROFILES, backbone_dir, beta_schedule, load_backbone, load_data,  # noqa: E402
                                    model_config, tokenizer)
from vaepapers.train import autocast, seed_everything  # noqa: E402

PROFILE = PROFILES["cpu"]
TARGET = {"iw": 5.0, "gen": 5.0}
QUICK = {"iw_sentences": 8, "iw_batch": 8, "gen_batch": 8, "steps": 4, "warmup": 1, "window": 2,
         "peak_sizes": "1024,2048", "peak_seconds": 0.5}


# ----------------------------------------------------------------------------------------------------------------
# Analytic FLOPs (a multiply-add = 2 FLOPs; matrix products only: layer norms, GELU, softmax, the latent chain's
# small p x p heads and the pooling are left out). d = n_embd, N = layers, V = vocabulary, L = T + 2 tokens of a
# sentence (<s> ... </s>), so the decoder reads L - 1 inputs and predicts L - 1 tokens.
#   per layer and token: c_attn d -> 3d: 6d²; c_proj d -> d: 2d²; MLP d -> 4d -> d: 16d²       = 24d²
#   DELLA's tensor product (decoder, each latent layer): (Σ_j Wv_j)[v; 1], d -> d: 2d²        (+ 2d² -> 26d²)
#   attention per query and visible key: scores 2d + context 2d                                 = 4d
#     encoder (bidirectional): L² pairs per layer; decoder (causal): L(L-1)/2 pairs per layer
#   output layer + cross-entropy: 2dV per predicted token (the encoder computes no logits)
#   training step = 3 x forward (backward ~ 2 x forward); IW: forward only
#   IW, folded:    encoder once + k x decoder per sentence
#   IW, loop:      k x (encoder + decoder) per sentence
#   generation, cached, step t (t = 1..n tokens seen): N (26d² + 4d t) + 2dV per row
#   generation, recomputed, step t: N (26d² t + 4d t(t+1)/2) + 2dV per row (logits of the last position only)
# ----------------------------------------------------------------------------------------------------------------
def encoder_flops(g: GPT2Config, L: int) -> float:
    return g.n_layer * (L * 24 * g.n_embd ** 2 + 4 * g.n_embd * L * L)


def decoder_flops(g: GPT2Config, L: int) -> float:
    n = L - 1
    return g.n_layer * (n * 26 * g.n_embd ** 2 + 4 * g.n_embd * n * (n + 1) / 2) + n * 2 * g.n_embd * g.vocab_size


def train_flops(g: GPT2Config, x: torch.Tensor) -> float:
    return 3 * len(x) * (encoder_flops(g, x.shape[1]) + decoder_flops(g, x.shape[1]))


def iw_flops(g: GPT2Config, x: torch.Tensor, k: int, folded: bool) -> float:
    L = x.shape[1]
    return len(x) * ((1 if folded else k) * encoder_flops(g, L) + k * decoder_flops(g, L))


def gen_flops(g: GPT2Config, rows: int, n: int, cached: bool) -> float:
    d, N = g.n_embd, g.n_layer
    per_row = sum(N * (26 * d * d + 4 * d * t) if cached else N * (26 * d * d * t + 2 * d * t * (t + 1))
                  for t in range(1, n + 1))
    return rows * (per_row + n * 2 * d * g.vocab_size)


# ----------------------------------------------------------------------------------------------------------------
# The model
# ----------------------------------------------------------------------------------------------------------------
def backbone_source(runs_dir: str | Path, tok) -> tuple[object, str]:
    "The `cpu` backbone from runs_dir if it is there at the profile's sizes, else its config (random weights)."
    sizes = PROFILE.backbone_sizes
    folder = backbone_dir(runs_dir, PROFILE)
    config = GPT2Config(vocab_size=len(tok), **sizes)
    if (folder / "config.json").is_file() and (folder / "model.safetensors").is_file():
        found = GPT2Config.from_hf(folder)
        if all(getattr(found, k) == v for k, v in sizes.items()):
            return folder, f"pretrained `cpu` backbone {folder}"
        why = f"{folder} has other sizes ({', '.join(f'{k}={getattr(found, k)}' for k in sizes)})"
    else:
        why = f"no `cpu` backbone in {folder}"
    return config, (f"RANDOMLY INITIALISED backbone of the `cpu` sizes ({why}; speed does not depend on the "
                    f"weights, only the greedy outputs do)")


def make_model(source, tok, device, seed: int) -> DELLA:
    seed_everything(seed)
    return DELLA(model_config(PROFILE, "DELLA"), load_backbone(source, len(tok)), tok.pad_id).to(device)


# ----------------------------------------------------------------------------------------------------------------
# 1. IW-PPL: the released code's loop (written here, on the project's model; not its code)
# ----------------------------------------------------------------------------------------------------------------
@torch.no_grad()
def reference_iw_log_px(model: DELLA, x: torch.Tensor, k: int, z: torch.Tensor | None = None) -> torch.Tensor:
    """log p̂(x) [B] the released code's way: for each of the k samples a full forward — the bidirectional encoder,
    one draw of the posterior chain, the decoder — then log w = log p(x|z) + log p(z) - log q(z|x) and
    logsumexp - log k. `z` [B, k, K·p]: use these draws instead of each forward's own (for the equality check)."""
    model.eval()
    log_w = []
    for i in range(k):
        q = model.posterior(x)                                       # encoder + one posterior draw
        zi = q.z if z is None else z[:, i]                           # [B, K·p]
        log_pxz = -model.rec(x, zi).float()                          # decoder + output layer + CE
        log_p = model.prior(x).log_prob(zi[:, None])[:, 0]
        log_q = q.log_prob(zi[:, None])[:, 0]
        log_w.append(log_pxz + log_p - log_q)
    return torch.logsumexp(torch.stack(log_w, 1), 1) - math.log(k)


@torch.no_grad()
def iw_draws(model: DELLA, x: torch.Tensor, k: int, chunk: int, seed: int) -> torch.Tensor:
    "The z draws [B, k, K·p] that iw_log_px(model, x, k, chunk) makes after torch.manual_seed(seed)."
    torch.manual_seed(seed)
    q = model.posterior(x)
    return torch.cat([q.sample(min(chunk, k - s)) for s in range(0, k, chunk)], 1)


def iw_check(model: DELLA, x: torch.Tensor, k: int, chunk: int, seed: int) -> dict:
    "Both ways' log p̂(x) from the same draws: the max abs and rel. difference (float32)."
    torch.manual_seed(seed)
    folded = iw_log_px(model, x, k, chunk)
    loop = reference_iw_log_px(model, x, k, z=iw_draws(model, x, k, chunk, seed))
    diff = (folded - loop).abs()
    return {"max_abs_diff": diff.max().item(), "max_rel_diff": (diff / loop.abs()).max().item(),
            "log_px_mean": folded.mean().item(), "ok": bool(torch.allclose(folded, loop, rtol=1e-5, atol=1e-3))}


def bench_iw(model: DELLA, batches, k: int, chunk: int, device) -> dict:
    "Sentences/s of both ways, one window per batch and way, the two alternating."
    g = model.gpt2.config
    ways = {"folded": lambda x: iw_log_px(model, x, k, chunk), "loop": lambda x: reference_iw_log_px(model, x, k)}
    for f in ways.values():
        f(batches[0][:2])                                            # warm-up (kernels, allocator)
    windows = {w: [] for w in ways}
    for x in batches:
        for name, f in ways.items():
            with Window(device) as w:
                f(x)
            windows[name].append({"sentences": len(x), "flops": iw_flops(g, x, k, name == "folded"),
                                  "seconds": w.seconds, "cpu_share": w.cpu_share})
    return {name: summarise(v, "sentences") for name, v in windows.items()}


# ----------------------------------------------------------------------------------------------------------------
# 2. Generation: KV cache vs recomputing the prefix
# ----------------------------------------------------------------------------------------------------------------
@torch.no_grad()
def greedy_cached(model: DELLA, z: torch.Tensor, bos: int, n: int) -> torch.Tensor:
    "n greedy ids [B, n] through the model's `step` and its KV cache (as `decode` runs it, without the </s> stop)."
    token, state, out = torch.full((len(z),), bos, dtype=torch.long, device=z.device), model.init_state(z), []
    for _ in range(n):
        logits, state = model.step(token, z, state)
        token = logits.argmax(-1)
        out.append(token)
    return torch.stack(out, 1)


@torch.no_grad()
def greedy_recomputed(model: DELLA, z: torch.Tensor, bos: int, n: int) -> torch.Tensor:
    "n greedy ids [B, n], every step a full causal forward over <s> and all ids so far; logits of the last position."
    ids = torch.full((len(z), 1), bos, dtype=torch.long, device=z.device)
    inject = model.inject(z[:, 0])
    for _ in range(n):
        h = model.gpt2(ids, inject=inject, position_offset=model.position_offset, compute_logits=False)["hidden"]
        ids = torch.cat([ids, F.linear(h[:, -1], model.gpt2.head_weight).float().argmax(-1, keepdim=True)], 1)
    return ids[:, 1:]


def bench_gen(model: DELLA, rows: int, n: int, bos: int, repeats: int, device, seed: int) -> dict:
    "Tokens/s of both ways on the same prior latents, `repeats` alternating windows each; greedy ids asserted equal."
    model.eval()
    g = model.gpt2.config
    z = model.sample_latents(rows, torch.Generator(device=device).manual_seed(seed))           # [B, 1, K·p]
    ways = {"cached": greedy_cached, "recomputed": greedy_recomputed}
    for f in ways.values():
        f(model, z[:2], bos, 4)                                                               # warm-up
    windows, ids = {w: [] for w in ways}, {}
    for _ in range(repeats):
        for name, f in ways.items():
            with Window(device) as w:
                ids[name] = f(model, z, bos, n)
            windows[name].append({"tokens": rows * n, "flops": gen_flops(g, rows, n, name == "cached"),
                                  "seconds": w.seconds, "cpu_share": w.cpu_share})
    same = torch.equal(ids["cached"], ids["recomputed"])
    if not same:
        bad = (ids["cached"] != ids["recomputed"]).any(0).nonzero()[0].item()
        raise AssertionError(f"greedy ids differ between the KV cache and the recomputed prefix (first at step {bad})")
    return {name: summarise(v, "tokens") for name, v in windows.items()} | {"same_ids": same}


# ----------------------------------------------------------------------------------------------------------------
# 3. Training throughput
# ----------------------------------------------------------------------------------------------------------------
def train_step(model, x, objective, opt, device, bf16: bool, t: float) -> None:
    "One step as the Trainer takes it for the `cpu` profile: forward under autocast, AdamW, no clipping."
    with autocast(device, bf16):
        loss, _ = objective(model(x), t)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def bench_train(source, tok, batches, device, precisions, steps: int, warmup: int, window: int, seed: int) -> dict:
    "Tokens/s of each precision over `steps` steps, in alternating windows of `window` steps."
    g_cfg = None
    timed = batches[warmup:warmup + steps]
    shapes = list({tuple(x.shape): x for x in timed}.values())      # oneDNN JIT-compiles per shape: each one first
    objective = della_objective(model_config(PROFILE, "DELLA"), beta_schedule(PROFILE))
    runs = {}
    for p in precisions:
        model = make_model(source, tok, device, seed).train()
        g_cfg = model.gpt2.config
        opt = torch.optim.AdamW(model.parameters(), lr=PROFILE.lr, weight_decay=0.0)
        for x in batches[:warmup] + shapes:
            train_step(model, x.to(device), objective, opt, device, p == "bf16", 0.0)
        runs[p] = (model, opt)
    windows = {p: [] for p in precisions}
    for s in range(0, len(timed), window):
        chunk = timed[s:s + window]
        n, flops = sum(predicted_tokens(x, tok.pad_id) for x in chunk), sum(train_flops(g_cfg, x) for x in chunk)
        for p in precisions:
            model, opt = runs[p]
            with Window(device) as w:
                for x in chunk:
                    train_step(model, x.to(device), objective, opt, device, p == "bf16", 0.0)
            windows[p].append({"tokens": n, "flops": flops, "seconds": w.seconds, "cpu_share": w.cpu_share})
    return {p: summarise(windows[p], "tokens") for p in precisions}


# ----------------------------------------------------------------------------------------------------------------
def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--data-dir", default=None, help=f"folder holding ptb/ and gpt2_tokenizer/ (default: ${DATA_ENV})")
    p.add_argument("--runs-dir", default="out/runs", help="where `make cpu`/the DELLA notebooks keep the backbone")
    p.add_argument("--device", default="auto")
    p.add_argument("--iw-k", type=int, default=PROFILE.iw_samples, help="importance samples (30, as the code)")
    p.add_argument("--iw-sentences", type=int, default=64, help="test sentences of the split's mean length")
    p.add_argument("--iw-batch", type=int, default=PROFILE.batch_size,
                   help="sentences per call, both ways (the profile's evaluation batch)")
    p.add_argument("--gen-tokens", type=int, default=64)
    p.add_argument("--gen-batch", type=int, default=PROFILE.batch_size, help="sentences decoded at once")
    p.add_argument("--gen-repeats", type=int, default=2, help="timing windows per generation way")
    p.add_argument("--steps", type=int, default=20, help="timed training steps per precision")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps (besides one per timed batch shape)")
    p.add_argument("--window", type=int, default=5, help="training steps per timing window")
    p.add_argument("--peak-sizes", default="2048,4096")
    p.add_argument("--peak-seconds", type=float, default=1.5)
    p.add_argument("--quick", action="store_true", help="few sentences and steps: a check that it runs (< 2 min, "
                   "1 thread); explicit options still win")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None, help="also write all numbers (and every window) to this file")
    args = p.parse_args(argv)
    if args.quick:
        p.set_defaults(**QUICK)
        args = p.parse_args(argv)
    data_dir = data_dir_or_exit(p, args.data_dir)
    t0 = time.perf_counter()
    device, precisions, why = timing_device(args.device)
    tok = tokenizer(PROFILE, data_dir)
    data = load_data("ptb", PROFILE, tok, data_dir)
    source, backbone = backbone_source(args.runs_dir, tok)
    model = make_model(source, tok, device, args.seed).eval()
    g = model.gpt2.config
    env = {"device": str(device), "threads": torch.get_num_threads(), "torch": torch.__version__, "bf16": why,
           "backbone": backbone, "model": {k: getattr(g, k) for k in ("n_layer", "n_embd", "n_head", "vocab_size")}
           | {"latent_dim": model.config.latent_dim, "rank": model.config.rank, "links": model.n_links}}
    print(f"# DELLA `cpu` profile: GPT-2 {g.n_layer} layers, width {g.n_embd}, {g.n_head} heads, vocab "
          f"{g.vocab_size:,}; {model.n_links} latent layers of {model.config.latent_dim}, rank {model.config.rank}")
    print(f"# backbone: {backbone}")
    print(f"# device {device}, {env['threads']} threads, torch {torch.__version__}; bf16: {why}", flush=True)
    sizes = tuple(int(n) for n in args.peak_sizes.split(","))
    peak = {pr: matmul_peak(device, torch.float32 if pr == "fp32" else torch.bfloat16, sizes, args.peak_seconds)
            for pr in precisions}
    print("matmul peak: " + ", ".join(f"{pr} {v['gflops']:.0f} GFLOP/s" for pr, v in peak.items()), flush=True)
    results: dict = {"env": env, "args": vars(args), "peak": peak}

    # 1. IW-PPL(k): equality on the first batch, then timings
    k, chunk = args.iw_k, 50                                         # 50: iw_log_px's default chunk
    iw_batches = [x.to(device) for x in iw_sentences(data, "test", args.iw_sentences, args.iw_batch)]
    check = iw_check(model, iw_batches[0][:4], k, chunk, args.seed)
    print(f"IW check (same z draws, 4 sentences): max |Δ log p̂| {check['max_abs_diff']:.2e} "
          f"(rel {check['max_rel_diff']:.1e}) {'ok' if check['ok'] else 'MISMATCH'}", flush=True)
    if not check["ok"]:
        raise AssertionError(f"the folded and the looped IW estimates differ: {check}")
    iw = bench_iw(model, iw_batches, k, chunk, device)
    iw["speedup"] = iw["folded"]["rate"] / iw["loop"]["rate"]
    iw["flop_ratio"] = iw["loop"]["gflops"] * iw["loop"]["seconds"] / (iw["folded"]["gflops"] * iw["folded"]["seconds"])
    iw |= {"check": check, "k": k, "sentences": sum(map(len, iw_batches)),
           "mean_tokens": sum(x.numel() for x in iw_batches) / sum(map(len, iw_batches))}
    print(f"IW({k}): folded {iw['folded']['rate']:.2f} sentences/s, loop {iw['loop']['rate']:.2f}: "
          f"{iw['speedup']:.2f}x", flush=True)
    results["iw"] = iw

    # 2. generation
    gen = bench_gen(model, args.gen_batch, args.gen_tokens, tok.bos, args.gen_repeats, device, args.seed)
    gen["speedup"] = gen["cached"]["rate"] / gen["recomputed"]["rate"]
    gen["flop_ratio"] = gen_flops(g, 1, args.gen_tokens, False) / gen_flops(g, 1, args.gen_tokens, True)
    print(f"generation ({args.gen_tokens} tokens x {args.gen_batch} rows): cached {gen['cached']['rate']:.0f} "
          f"tokens/s, recomputed {gen['recomputed']['rate']:.0f}: {gen['speedup']:.2f}x, same greedy ids",
          flush=True)
    results["gen"] = gen
    del model

    # 3. training
    train_batches = data.batches("train", PROFILE.batch_size, shuffle=True, seed=args.seed)
    if args.warmup + args.steps > len(train_batches):
        sys.exit(f"at most {len(train_batches)} training steps (one epoch of the profile's train subset)")
    train = bench_train(source, tok, train_batches, device, precisions, args.steps, args.warmup, args.window,
                        args.seed)
    for pr in precisions:
        train[pr]["fraction_of_peak"] = train[pr]["gflops"] / peak[pr]["gflops"]
    results["train"] = train
    results["seconds"] = time.perf_counter() - t0
    print_table(results, precisions, args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    return results


def print_table(r: dict, precisions: list[str], args) -> None:
    iw, gen, train, peak = r["iw"], r["gen"], r["train"], r["peak"]
    verdict = lambda v, t: f"{'ok' if v >= t else 'SHORT'} (target >= {t:g}x)"
    pct = lambda d, pr: 100 * d["gflops"] / peak[pr]["gflops"]
    print(f"\n{'':44s}{'rate':>12s}{'best win':>10s}{'GFLOP/s':>9s}{'% peak':>8s}")
    def row(name, d, dec, pr="fp32"):
        print(f"{name:44s}{d['rate']:12.{dec}f}{d['best']:10.{dec}f}{d['gflops']:9.1f}{pct(d, pr):7.0f}%")
    print("matmul peak: " + ", ".join(f"{pr} {peak[pr]['gflops']:.0f} GFLOP/s" for pr in precisions))
    row(f"IW-PPL({iw['k']}) folded, sentences/s", iw["folded"], 2)
    row(f"IW-PPL({iw['k']}) per-sample loop, sentences/s", iw["loop"], 2)
    print(f"{'  folded / loop':44s}{iw['speedup']:11.2f}x  {verdict(iw['speedup'], TARGET['iw'])}; FLOP ratio "
          f"{iw['flop_ratio']:.2f}x (the encoder passes saved)")
    n = args.gen_tokens
    row(f"generation {n} tok, KV cache, tokens/s", gen["cached"], 0)
    row(f"generation {n} tok, recomputed, tokens/s", gen["recomputed"], 0)
    print(f"{'  cache / recomputed':44s}{gen['speedup']:11.2f}x  {verdict(gen['speedup'], TARGET['gen'])}; "
          f"greedy ids equal; FLOP ratio {gen['flop_ratio']:.2f}x")
    for pr in precisions:
        row(f"training {pr}, tokens/s", train[pr], 0, pr)
    if "bf16" in precisions:
        print(f"{'  bf16 / fp32':44s}{train['bf16']['rate'] / train['fp32']['rate']:11.2f}x")
    else:
        print(f"{'training bf16':44s}{'(skipped)':>12s}  {r['env']['bf16']}")
    shares = [d[w]["cpu_share_min"] for d, ws in ((iw, ("folded", "loop")), (gen, ("cached", "recomputed")),
                                                  (train, precisions)) for w in ws]
    print(f"\nIW: {iw['sentences']} test sentences of {iw['mean_tokens']:.1f} BPE tokens (nearest the mean length), "
          f"batches of <= {args.iw_batch}, the same for both ways; check on the same draws: max |Δ log p̂| "
          f"{iw['check']['max_abs_diff']:.1e}")
    print(f"generation: {args.gen_batch} prior latents, greedy, exactly {n} steps each way")
    print(f"training: {sum(w['tokens'] for w in train[precisions[0]]['windows'])} predicted tokens per precision, "
          f"batch {PROFILE.batch_size}, AdamW lr {PROFILE.lr:g}, windows alternating")
    print(f"timing windows: CPU share >= {min(shares):.2f} (1 = the cores to ourselves)")
    print(f"backbone: {r['env']['backbone']}")
    print(f"total {r['seconds'] / 60:.1f} min")


if __name__ == "__main__":
    main()
