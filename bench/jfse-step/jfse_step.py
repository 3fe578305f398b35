#!/usr/bin/python3
"""One JFSE training step in PyTorch, the same computation as CrossMedia's JfseStep (TorchSharp):
5 critic updates (conditional WGAN-GP, gradient of a gradient) and one generator, regressor and
modality-classifier update each, batch 64, Adam(1e-4, 0.5, 0.999), CMPM alignment, gradient reversal.
Prints ms/step and peak RSS. Usage: /usr/bin/python3 jfse_step.py [--threads 2] [--steps 20] ...
(Debian's python3-torch; check torch.__config__.show() for the BLAS in use.)"""
import argparse, resource, time
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
for name, default in [("threads", 2), ("steps", 20), ("warmup", 3), ("image", 4096), ("text", 300), ("cls", 300),
                      ("hidden", 4096), ("noise", 300), ("batch", 64), ("critic", 5), ("items", 1024), ("classes", 20)]:
    p.add_argument("--" + name, type=int, default=default)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)

def mlp(i, h, o, act, final_relu):
    layers = [nn.Linear(i, h), act, nn.Linear(h, o)]
    return nn.Sequential(*(layers + [nn.ReLU()] if final_relu else layers))

dv, dt, dc, h, dz = a.image, a.text, a.cls, a.hidden, a.noise
Gv, Gt = mlp(dc + dz, h, dv, nn.ReLU(), True), mlp(dc + dz, h, dt, nn.ReLU(), True)
Dv, Dt = mlp(dv + dc, h, 1, nn.LeakyReLU(0.2), False), mlp(dt + dc, h, 1, nn.LeakyReLU(0.2), False)
Rv, Rt = mlp(dv, h, dc, nn.ReLU(), True), mlp(dt, h, dc, nn.ReLU(), True)
M = nn.Sequential(nn.Linear(dc, max(1, dc // 2)), nn.ReLU(), nn.Linear(max(1, dc // 2), max(1, dc // 4)), nn.ReLU(), nn.Linear(max(1, dc // 4), 2))
adam = lambda ps: torch.optim.Adam(ps, lr=1e-4, betas=(0.5, 0.999))
optD = adam(list(Dv.parameters()) + list(Dt.parameters()))
optG = adam(list(Gv.parameters()) + list(Gt.parameters()))
optR = adam(list(Rv.parameters()) + list(Rt.parameters()))
optM = adam(M.parameters())

def critic(D, x, c): return D(torch.cat([x, c], 1))
def gp(D, real, syn, c, alpha):
    x = (alpha * real + (1 - alpha) * syn.detach()).detach().requires_grad_(True)
    g = torch.autograd.grad(critic(D, x, c).sum(), x, create_graph=True, retain_graph=True)[0]
    return (((g.pow(2).sum(1) + 1e-12).sqrt() - 1) ** 2).mean()
def d_loss(D, real, syn, c, alpha):
    return critic(D, syn.detach(), c).mean() - critic(D, real, c).mean() + 10 * gp(D, real, syn, c, alpha)
def grl(x, lam):
    f = x.detach()
    return f + (x - f) * (-lam)
def modality(li, lt):
    logits = torch.cat([li, lt]); target = torch.cat([torch.zeros(len(li), dtype=torch.long), torch.ones(len(lt), dtype=torch.long)])
    return F.cross_entropy(logits, target)
def cmpm_dir(a_, ya, b, yb):
    bn = b / b.norm(dim=1, keepdim=True).clamp_min(1e-12)
    logp = F.log_softmax(a_ @ bn.t(), 1)
    match = (ya[:, None] == yb[None, :]).float()
    q = match / match.sum(1, keepdim=True).clamp_min(1)
    return (logp.exp() * (logp - (q + 1e-8).log())).sum(1).mean()
def cmpm(ev, yv, et, yt): return cmpm_dir(ev, yv, et, yt) + cmpm_dir(et, yt, ev, yv)

n = a.items
xv, xt, classes = torch.rand(n, dv), torch.rand(n, dt), torch.rand(a.classes, dc)
y = torch.arange(n) % a.classes
gen = torch.Generator().manual_seed(7)

def step(idx, lam=0.5):
    rv, rt, lab = xv[idx], xt[idx], y[idx]
    c = classes[lab]
    for _ in range(a.critic):
        with torch.no_grad():
            sv = Gv(torch.cat([c, torch.randn(len(c), dz, generator=gen)], 1))
            st = Gt(torch.cat([c, torch.randn(len(c), dz, generator=gen)], 1))
        ld = d_loss(Dv, rv, sv, c, torch.rand(len(c), 1, generator=gen)) + d_loss(Dt, rt, st, c, torch.rand(len(c), 1, generator=gen))
        optD.zero_grad(); ld.backward(); optD.step()
    gv = Gv(torch.cat([c, torch.randn(len(c), dz, generator=gen)], 1))
    gt = Gt(torch.cat([c, torch.randn(len(c), dz, generator=gen)], 1))
    adv = -critic(Dv, gv, c).mean() - critic(Dt, gt, c).mean()
    egv, egt = Rv(gv), Rt(gt)
    cyc = F.mse_loss(egv, c) + F.mse_loss(egt, c)
    mod = modality(M(grl(egv, lam)), M(grl(egt, lam)))
    lg = adv + 0.1 * cyc + 0.001 * mod
    optG.zero_grad(); lg.backward(); optG.step()
    sv2, st2 = gv.detach(), gt.detach()
    ev, et = Rv(rv), Rt(rt)
    cyc_r = F.mse_loss(ev, c) + F.mse_loss(et, c)
    da_r = cmpm(ev, lab, et, lab)
    mod_r = modality(M(grl(ev, lam)), M(grl(et, lam)))
    esv, est = Rv(sv2), Rt(st2)
    cyc_s = F.mse_loss(esv, c) + F.mse_loss(est, c)
    da_s = cmpm(esv, lab, est, lab)
    mod_s = modality(M(grl(esv, lam)), M(grl(est, lam)))
    lr_ = cyc_r + 1e-4 * da_r + 0.01 * mod_r + 0.01 * cyc_s + 1e-4 * mod_s + 1e-6 * da_s
    optR.zero_grad(); lr_.backward(); optR.step()
    lm = modality(M(ev.detach()), M(et.detach())) + modality(M(esv.detach()), M(est.detach()))
    optM.zero_grad(); lm.backward(); optM.step()

times = []
g = torch.Generator().manual_seed(1)
for s in range(a.warmup + a.steps):
    idx = torch.randint(0, n, (a.batch,), generator=g)
    t0 = time.perf_counter(); step(idx)
    if s >= a.warmup: times.append((time.perf_counter() - t0) * 1000)
times.sort()
import os
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
blas = "openblas" if "openblas" in open("/proc/self/maps").read() else "other"
print(f"pytorch {torch.__version__} threads={a.threads} steps={len(times)} median_ms={times[len(times)//2]:.1f} "
      f"mean_ms={sum(times)/len(times):.1f} min_ms={times[0]:.1f} peak_rss_mb={rss:.0f} blas_loaded={blas} "
      f"malloc={'jemalloc' if 'jemalloc' in os.environ.get('LD_PRELOAD', '') else 'default'}")
