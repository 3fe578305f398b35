#!/usr/bin/python3
"""FAISS reference for bench/search: IndexFlatIP over the same gallery/queries, same thread count.

Usage: /usr/bin/python3 bench/search/faiss_flat.py DIR [K=10] [THREADS=2] [REPEATS=3]
Writes DIR/faiss_ids.npy (float32 ids, for the C# comparison), prints which OpenBLAS kernel runs
(threadpoolctl) and the timings. Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset so
OpenBLAS picks its native kernels for this CPU (run.sh does).
"""
import sys
import time

import faiss
import numpy as np
from threadpoolctl import threadpool_info

d = sys.argv[1]
k = int(sys.argv[2]) if len(sys.argv) > 2 else 10
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
faiss.omp_set_num_threads(threads)
for lib in threadpool_info():  # after importing faiss, which loads OpenBLAS
    if lib.get("internal_api") == "openblas":
        print(f"openblas {lib.get('version')}: internal_api={lib['internal_api']} architecture={lib.get('architecture')} "
              f"threading_layer={lib.get('threading_layer')} num_threads={lib.get('num_threads')}")
gallery = np.load(f"{d}/gallery.npy", mmap_mode="r")
queries = np.ascontiguousarray(np.load(f"{d}/queries.npy"))
index = faiss.IndexFlatIP(gallery.shape[1])
t = time.perf_counter()
index.add(np.ascontiguousarray(gallery))
print(f"faiss {faiss.__version__}: added {index.ntotal} in {time.perf_counter() - t:.2f} s")
index.search(queries[:12], k)  # warm-up
times, cpu = [], []
for _ in range(repeats):
    t, c = time.perf_counter(), time.process_time()
    scores, ids = index.search(queries, k)
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
best, median = min(times), sorted(times)[len(times) // 2]
n = len(queries)
print(f"faiss IndexFlatIP: {n} queries, k={k}, threads={threads}: best {best:.3f} s ({n / best:.0f} QPS), "
      f"median {median:.3f} s ({n / median:.0f} QPS), runs {' '.join(f'{x:.3f}' for x in times)}; "
      f"CPU s per run {' '.join(f'{x:.3f}' for x in cpu)}")
np.save(f"{d}/faiss_ids.npy", ids.astype(np.float32))
