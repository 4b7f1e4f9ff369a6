"""The estimators through the model contract, on models whose log p(x) is known exactly.

Each model has a 1-D (or one-of-K) latent z and a tiny decoder: x = <s> w1..w4 </s> over the words {a, b}, with
p(w_t = a | z) = sigmoid(alpha·z + beta_t) (Gaussian z) or sigmoid(theta_z[t]) (discrete z). Then
log p(x) = log ∫ p(z) p(x|z) dz is computed by numerical quadrature (Gaussian prior, fixed or learned and
non-standard) or by enumeration (discrete latent with a learned prior). The importance-weighted estimate with a
large k must land within 0.01 nats of it, and the −ELBO must lie above it.
"""
import itertools
import math

import pytest
import torch
from torch import nn

from vaepapers.contract import Categorical, DiagGaussian, LatentModel, check_contract, n_predicted
from vaepapers.metrics import elbo_summary, iw_log_px, sentence_terms

BOS, EOS, A, B = 1, 2, 3, 4
T = 4
SENTENCES = torch.tensor([[BOS, *w, EOS] for w in itertools.product((A, B), repeat=T)])   # all 16, [16, T+2]


class _Tiny(nn.Module):
    "The contract's members shared by the two test models; subclasses define the latent."
    pad_id, terms, bound, estimators, z_draws = 0, ("rec", "kl"), ("rec", "kl"), frozenset({"iw_nll"}), 1

    def n_tokens(self, x):
        return n_predicted(x, self.pad_id)

    def n_a(self, x):
        return (x[:, 1:-1] == A).double().sum(1)                           # [B]

    def log_px_logits(self, x, logit):
        "log p(x|z) from the per-position logits of `a`: x [B, T+2], logit [B, S, T] -> [B, S]."
        is_a = (x[:, None, 1:-1] == A)                                       # [B, 1, T]
        return torch.where(is_a, nn.functional.logsigmoid(logit), nn.functional.logsigmoid(-logit)).sum(-1)

    def forward(self, x):
        q, p = self.posterior(x), self.prior(x)
        z = q.sample(1)                                                      # [B, 1, ...]
        return {"rec": -self.log_px(x, z.unsqueeze(2))[:, 0], "kl": self.kl(q, p)}


class GaussianLatent(_Tiny):
    def __init__(self, prior_mu=0.0, prior_logvar=0.0):
        super().__init__()
        self.alpha = nn.Parameter(torch.tensor(1.5, dtype=torch.float64))
        self.beta = nn.Parameter(torch.tensor([-0.5, 0.0, 0.3, 1.0], dtype=torch.float64))
        self.prior_mu = nn.Parameter(torch.tensor([prior_mu], dtype=torch.float64))        # a learned prior
        self.prior_logvar = nn.Parameter(torch.tensor([prior_logvar], dtype=torch.float64))

    def posterior(self, x):
        mu = (0.8 * (self.n_a(x) - T / 2))[:, None]                          # [B, 1]
        return DiagGaussian(mu, torch.full_like(mu, math.log(0.6)))

    def prior(self, x):
        return DiagGaussian(self.prior_mu.expand(len(x), 1), self.prior_logvar.expand(len(x), 1))

    def kl(self, q, p):
        return 0.5 * (p.logvar - q.logvar + (q.logvar.exp() + (q.mu - p.mu) ** 2) / p.logvar.exp() - 1).sum(-1)

    def log_px(self, x, z):                                                  # z [B, S, 1, 1]
        return self.log_px_logits(x, self.alpha * z[:, :, 0] + self.beta)   # [B, S, T] -> [B, S]

    def exact_log_px(self, x):
        "log ∫ p(z) p(x|z) dz by the trapezoid rule on [-14, 14] (20001 points)."
        z = torch.linspace(-14, 14, 20001, dtype=torch.float64)
        log_pz = DiagGaussian(self.prior_mu.expand(len(z), 1), self.prior_logvar.expand(len(z), 1)).log_prob(z[:, None, None])[:, 0]
        log_joint = log_pz[None] + self.log_px(x, z[None, :, None, None].expand(len(x), -1, 1, 1))   # [B, G]
        dz = z[1] - z[0]
        w = torch.ones_like(z); w[0] = w[-1] = 0.5
        return torch.logsumexp(log_joint + w.log(), 1) + dz.log()


class DiscreteLatent(_Tiny):
    K = 5

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.theta = nn.Parameter(torch.randn(self.K, T, generator=g, dtype=torch.float64) * 2)
        self.prior_logits = nn.Parameter(torch.randn(self.K, generator=g, dtype=torch.float64))   # learned p(z)
        self.enc = nn.Parameter(torch.randn(T, self.K, generator=g, dtype=torch.float64))

    def posterior(self, x):
        return Categorical((x[:, 1:-1] == A).double() @ self.enc)            # [B, K]

    def prior(self, x):
        return Categorical(self.prior_logits.expand(len(x), -1))

    def kl(self, q, p):
        return (q.logits.exp() * (q.logits - p.logits)).sum(-1)

    def log_px(self, x, z):                                                  # z [B, S, 1] codes
        return self.log_px_logits(x, self.theta[z[:, :, 0]])                 # [B, S, T] -> [B, S]

    def exact_log_px(self, x):
        "log Σ_k p(k) p(x|k), by enumeration."
        codes = torch.arange(self.K).expand(len(x), -1)[:, :, None]          # [B, K, 1]
        return torch.logsumexp(self.prior(x).logits + self.log_px(x, codes), 1)


MODELS = {"gaussian N(0,1) prior": lambda: GaussianLatent(),
          "gaussian learned prior N(0.7, 1.5²)": lambda: GaussianLatent(0.7, 2 * math.log(1.5)),
          "discrete, learned prior": lambda: DiscreteLatent()}


@pytest.mark.parametrize("name", MODELS)
def test_iw_nll_converges_to_exact_log_px_and_elbo_lies_above(name):
    model = MODELS[name]()
    check_contract(model)
    assert isinstance(model, LatentModel)
    with torch.no_grad():
        exact = model.exact_log_px(SENTENCES)                                 # [16]
    # a valid distribution over the 16 sentences (the quadrature / enumeration is complete)
    assert torch.logsumexp(exact, 0).item() == pytest.approx(0.0, abs=1e-6)
    torch.manual_seed(0)
    iw = iw_log_px(model, SENTENCES, k=200_000, chunk=50_000).double()
    assert (iw - exact).abs().max().item() < 0.01, (iw - exact)
    # -ELBO (the model's bound terms, through the same estimator code as every table) is above -log p(x)
    torch.manual_seed(0)
    repeats = SENTENCES.repeat(2_000, 1)
    nelbo = elbo_summary(sentence_terms(model, [repeats]), model.bound)["nll"]
    assert nelbo > -exact.mean().item() + 0.01, (nelbo, -exact.mean().item())
    # k = 1 is the ELBO in expectation: far looser than k = 20000
    torch.manual_seed(1)
    iw1 = -iw_log_px(model, repeats, k=1).double().mean().item()
    assert iw1 == pytest.approx(nelbo, abs=0.05)


def test_wrong_prior_is_caught():
    # the estimator must use the model's own prior: scoring the learned-prior model against N(0, 1) is off by > 0.01
    model = GaussianLatent(0.7, 2 * math.log(1.5))
    exact = model.exact_log_px(SENTENCES)
    model.prior = lambda x: DiagGaussian(torch.zeros(len(x), 1, dtype=torch.float64),
                                         torch.zeros(len(x), 1, dtype=torch.float64))
    torch.manual_seed(0)
    iw = iw_log_px(model, SENTENCES, k=200_000, chunk=50_000).double()
    assert (iw - exact).abs().max().item() > 0.05
