#!/usr/bin/python3
"""FAISS IndexHNSWFlat (L2) on the files of `CrossMedia.Bench hnsw-prepare`: build time, then recall@k against
truth.npy (CrossMedia's exact answers) and queries/s for each efSearch. Usage: faiss_hnsw.py DIR K THREADS M EFC EF,EF,..."""
import sys, time
import numpy as np, faiss

d_, k, threads, m, efc, efs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
faiss.omp_set_num_threads(threads)
x = np.load(f"{d_}/gallery.npy").astype(np.float32)
q = np.load(f"{d_}/queries.npy").astype(np.float32)
truth = np.load(f"{d_}/truth.npy").astype(np.int64)
limit = np.sqrt(np.load(f"{d_}/truth_distances.npy")[:, -1]) + 1e-3  # ANN-Benchmarks' recall with ties
index = faiss.IndexHNSWFlat(x.shape[1], m)
index.hnsw.efConstruction = efc
t = time.perf_counter(); index.add(x); build = time.perf_counter() - t
print(f"faiss hnsw build: {build:.1f} s (M={m}, efConstruction={efc}, {threads} threads)")
for ef in map(int, efs.split(",")):
    index.hnsw.efSearch = ef
    index.search(q[:50], k)
    t = time.perf_counter(); dist, ids = index.search(q, k); s = time.perf_counter() - t
    recall = np.mean([len(set(ids[i]) & set(truth[i])) / k for i in range(len(q))])
    ties = np.mean(np.sqrt(np.maximum(dist, 0)) <= limit[:, None])
    print(f"faiss hnsw ef={ef}: recall@{k} {recall:.3f}, with ties {ties:.3f}, {len(q) / s:.0f} QPS")
