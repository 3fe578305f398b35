#!/usr/bin/python3
"""mAP benchmark: `crossmedia map` against the field's reference evaluation and a vectorised numpy one.

Run from the repository root with Debian's python (numpy + scipy), OpenBLAS tuning variables unset:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/map/bench_map.py
Options: --sizes 5000 20000 (query = gallery count), --dim 128, --classes 10, --large 100000
(memory run of crossmedia only; 0 skips it), --reference-max 20000 (largest size for the slow
reference loop), --out /tmp/crossmedia-bench-map (where the .npy files go).

Data: class-structured embeddings (class centre + Gaussian noise), so relevant items cluster near the
top of the ranking as with a trained model; queries and gallery are different draws (image→text).
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time

import numpy as np
import scipy.spatial.distance

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def generate(out, n, dim, classes, seed):
    """Writes q/ql/g/gl .npy files for an n × n evaluation and returns their paths."""
    paths = {k: os.path.join(out, f"{k}{n}.npy") for k in ("q", "ql", "g", "gl")}
    if all(os.path.exists(p) for p in paths.values()):
        return paths
    rng = np.random.default_rng(seed + n)
    centres = rng.standard_normal((classes, dim)).astype(np.float32)
    for emb, lab in (("q", "ql"), ("g", "gl")):
        labels = rng.integers(0, classes, n)
        x = centres[labels] + 2.5 * rng.standard_normal((n, dim)).astype(np.float32)
        np.save(paths[emb], x.astype(np.float32))
        np.save(paths[lab], labels.astype(np.int64))
    return paths


def load(paths):
    return (np.load(paths["q"]), np.load(paths["ql"]), np.load(paths["g"]), np.load(paths["gl"]))


def reference_map(q, ql, g, gl):
    """The reference code of the papers (DSCMR/JFSE fx_calc_map_label), with k = gallery size."""
    dist = scipy.spatial.distance.cdist(q, g, "cosine")
    order = dist.argsort()
    res = []
    for i in range(q.shape[0]):
        o = order[i]
        p = 0.0
        r = 0.0
        for j in range(g.shape[0]):
            if ql[i] == gl[o[j]]:
                r += 1
                p += r / (j + 1)
        res.append(p / r if r > 0 else 0)
    return float(np.mean(res))


def vectorised_map(q, ql, g, gl, block=500):
    """float32 matrix product + stable argsort per row + vectorised AP, in query blocks."""
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    gn = g / np.linalg.norm(g, axis=1, keepdims=True)
    ranks = np.arange(1, g.shape[0] + 1)
    aps = []
    for s in range(0, q.shape[0], block):
        sim = qn[s:s + block] @ gn.T
        order = np.argsort(-sim, axis=1, kind="stable")
        rel = gl[order] == ql[s:s + block, None]
        hits = np.cumsum(rel, axis=1)
        r = rel.sum(axis=1)
        aps.append(np.where(r > 0, (rel * hits / ranks).sum(axis=1) / np.maximum(r, 1), 0.0))
    return float(np.concatenate(aps).mean())


def floor(q, g, block=500):
    """The unavoidable part of a sort-based evaluation: matrix product + one argsort per row."""
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    gn = g / np.linalg.norm(g, axis=1, keepdims=True)
    for s in range(0, q.shape[0], block):
        sim = qn[s:s + block] @ gn.T
        np.argsort(-sim, axis=1)


def cpu_self():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def crossmedia(paths, extra=()):
    """Runs ./crossmedia map --json --timing; returns (result, wall seconds, in-process seconds, CPU seconds)."""
    cmd = [os.path.join(ROOT, "crossmedia"), "map", "--query", paths["q"], "--query-labels", paths["ql"],
           "--gallery", paths["g"], "--gallery-labels", paths["gl"], "--json", "--timing", *extra]
    c = cpu_children()
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    m = re.search(r"evaluation ([0-9.]+) s", p.stderr)
    return json.loads(p.stdout), wall, float(m.group(1)), cpu_children() - c


def timed(f, *args):
    """(value, wall seconds, CPU seconds of this process incl. BLAS threads)."""
    c = cpu_self()
    t = time.perf_counter()
    v = f(*args)
    return v, time.perf_counter() - t, cpu_self() - c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reference-max", type=int, default=20000)
    ap.add_argument("--large", type=int, default=100000)
    ap.add_argument("--out", default="/tmp/crossmedia-bench-map")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    print(f"cores: {os.cpu_count()}, numpy {np.__version__}, scipy {scipy.__version__}", flush=True)
    # Build once so the timed runs do not include compilation.
    subprocess.run([os.path.join(ROOT, "crossmedia"), "--help"], capture_output=True, check=True)

    rows = []
    for n in a.sizes:
        paths = generate(a.out, n, a.dim, a.classes, a.seed)
        q, ql, g, gl = load(paths)
        ours, wall, inproc, cpu = crossmedia(paths)
        vec, t_vec, c_vec = timed(vectorised_map, q, ql, g, gl)
        _, t_floor, c_floor = timed(floor, q, g)
        if n <= a.reference_max:
            ref, t_ref, c_ref = timed(reference_map, q, ql, g, gl)
        else:
            ref, t_ref, c_ref = float("nan"), float("nan"), float("nan")
        row = dict(n=n, map_crossmedia=ours["map"], map_vectorised=vec, map_reference=ref,
                   reference_s=t_ref, vectorised_s=t_vec, floor_s=t_floor, crossmedia_wall_s=wall, crossmedia_eval_s=inproc,
                   reference_cpu_s=c_ref, vectorised_cpu_s=c_vec, floor_cpu_s=c_floor, crossmedia_cpu_s=cpu)
        rows.append(row)
        print(json.dumps(row), flush=True)
        # float32 distances: near-ties may order differently than in the float64 reference.
        for name, other in (("vectorised numpy", vec), ("reference", ref)):
            if not abs(ours["map"] - other) < 1e-6 and other == other:
                print(f"WARNING: crossmedia and the {name} mAP differ by {ours['map'] - other:+.2e}", flush=True)

    print()
    print("Wall-clock seconds:")
    print("| n × n | reference loop | numpy vectorised | floor (matmul + argsort) | crossmedia wall | crossmedia in-process | ref / ours (wall) | floor / ours (in-process) | mAP (ours − reference) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']} × {r['n']} | {r['reference_s']:.2f} s | {r['vectorised_s']:.2f} s | {r['floor_s']:.2f} s | {r['crossmedia_wall_s']:.2f} s | "
              f"{r['crossmedia_eval_s']:.2f} s | {r['reference_s'] / r['crossmedia_wall_s']:.0f}× | {r['floor_s'] / r['crossmedia_eval_s']:.1f}× | "
              f"{r['map_crossmedia']:.6f} ({r['map_crossmedia'] - r['map_reference']:+.1e}) |")
    print()
    print("CPU seconds (user + sys, all threads; robust to other load on the machine):")
    print("| n × n | reference loop | numpy vectorised | floor (matmul + argsort) | crossmedia (whole process) | ref / ours | floor / ours |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']} × {r['n']} | {r['reference_cpu_s']:.2f} | {r['vectorised_cpu_s']:.2f} | {r['floor_cpu_s']:.2f} | {r['crossmedia_cpu_s']:.2f} | "
              f"{r['reference_cpu_s'] / r['crossmedia_cpu_s']:.0f}× | {r['floor_cpu_s'] / r['crossmedia_cpu_s']:.1f}× |")

    if a.large > 0:
        paths = generate(a.out, a.large, a.dim, a.classes, a.seed)
        cmd = ["/usr/bin/time", "-v", os.path.join(ROOT, "crossmedia"), "map", "--query", paths["q"], "--query-labels", paths["ql"],
               "--gallery", paths["g"], "--gallery-labels", paths["gl"], "--json", "--timing"]
        c = cpu_children()
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t
        cpu = cpu_children() - c
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
        inproc = float(re.search(r"evaluation ([0-9.]+) s", p.stderr).group(1))
        print()
        print(f"{a.large} × {a.large} (dim {a.dim}): {p.stdout.strip()}  wall {wall:.1f} s, in-process {inproc:.1f} s, "
              f"CPU {cpu:.1f} s, peak RSS {rss_kb / 1024:.0f} MiB (/usr/bin/time -v)")


if __name__ == "__main__":
    sys.exit(main())
