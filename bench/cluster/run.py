#!/usr/bin/env python3
"""Cluster load runs (issue 13): throughput of `serve --cluster` (3 silos, 8 shards) against `serve --index` on the same
items, then a bounded load loop while one silo is killed with SIGKILL: 5xx count, partial answers, time to full answers
again, and whether every add acknowledged during the run is still there. Standard library only; prints a JSON summary.
With --index (an existing index, e.g. bench/hnsw's 1M one with its HNSW graph) and --queries (.npy float32), it splits
that index instead (--shards, --silos, --ann), and adds request latency (one client) and every process's memory: the
per-shard figures of the README's "Scale on paper". --no-kill skips the failure run.
Usage: bench/cluster/run.py [--items 100000] [--dim 128] [--seconds 10] [--index FILE --queries FILE.npy --shards 1 --silos 1 --ann hnsw]"""
import argparse, array, json, os, random, signal, socket, struct, subprocess, sys, tempfile, threading, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--items", type=int, default=100_000)
ap.add_argument("--dim", type=int, default=128)
ap.add_argument("--seconds", type=float, default=10)
ap.add_argument("--workers", type=int, default=4)
ap.add_argument("--index", help="split this index instead of generating one")
ap.add_argument("--queries", help=".npy (float32, 2-d) of query vectors; default: random Gaussian ones")
ap.add_argument("--shards", type=int, default=8)
ap.add_argument("--silos", type=int, default=3)
ap.add_argument("--ann", default=None, help="passed to cluster create (hnsw|none); default: the index's own setting")
ap.add_argument("--no-kill", action="store_true")
args = ap.parse_args()
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
cli = os.path.join(root, "src/CrossMedia.Cli/bin/Release/net10.0/linux-x64/CrossMedia.Cli.dll")
work = tempfile.mkdtemp(prefix="crossmedia-cluster-bench-")
procs = []
KEY = "bench-key"

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def start(cmd, wait_for, env=None):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})})
    procs.append(p)
    for line in p.stdout:
        if wait_for in line: break
    threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
    return p

def post(port, path, body, timeout=30, headers=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r: return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e: return e.code, None

def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r: return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e: return e.code, None

rng = random.Random(1)
def vec(): return [rng.gauss(0, 1) for _ in range(args.dim)]

def read_npy(path):
    with open(path, "rb") as f:
        assert f.read(6) == b"\x93NUMPY"; major = f.read(2)[0]
        n = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))[0]
        header = eval(f.read(n).decode())
        assert header["descr"] == "<f4" and not header["fortran_order"], "float32 C-order .npy expected"
        rows, cols = header["shape"]; a = array.array("f"); a.frombytes(f.read(rows * cols * 4))
    return [a[r * cols:(r + 1) * cols].tolist() for r in range(rows)]

def memory(p):
    """Resident and peak resident memory of a process, MiB (from /proc)."""
    fields = dict(line.split(":", 1) for line in open(f"/proc/{p.pid}/status"))
    return {k: round(int(fields[k].split()[0]) / 1024) for k in ("VmRSS", "VmHWM")}

def latency(port, queries, n=500):
    times = []
    for i in range(n):
        t0 = time.perf_counter(); st, _ = post(port, "/search", {"vector": queries[i % len(queries)], "k": 10}); times.append(time.perf_counter() - t0)
        assert st == 200, st
    times.sort()
    return {"p50_ms": round(1000 * times[len(times) // 2], 2), "p99_ms": round(1000 * times[int(len(times) * 0.99)], 2)}

try:
    storage = os.path.join(work, "storage")
    if args.index:
        index = args.index
    else:
        # Class-structured vectors: 100 centres plus noise, as .npy (float32).
        centres = [vec() for _ in range(100)]
        data = array.array("f")
        for i in range(args.items):
            c = centres[i % 100]
            data.extend(x + 0.5 * rng.gauss(0, 1) for x in c)
        header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (args.items, args.dim)
        header += " " * (63 - (10 + len(header)) % 64) + "\n"
        with open(os.path.join(work, "v.npy"), "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()); data.tofile(f)
        index = os.path.join(work, "single.cmi")
        subprocess.run(["dotnet", cli, "index", "build", "--vectors", os.path.join(work, "v.npy"), "--out", index], check=True, stdout=subprocess.DEVNULL)
    t0 = time.time()
    create = subprocess.run(["dotnet", cli, "cluster", "create", "--shards", str(args.shards), "--from", index, "--storage", storage]
                            + (["--ann", args.ann] if args.ann else []), check=True, capture_output=True, text=True)
    create_s = time.time() - t0
    rport = free_port(); membership = f"redis://127.0.0.1:{rport}"
    redis = subprocess.Popen(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--dir", work, "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL); procs.append(redis); time.sleep(0.5)
    silos = [start(["dotnet", cli, "cluster", "silo", "--storage", storage, "--membership", membership,
                    "--silo-port", str(free_port()), "--gateway-port", str(free_port())], "silo up") for _ in range(args.silos)]
    cport, sport = free_port(), free_port()
    env = {"CROSSMEDIA_API_KEY": KEY}
    serve_cluster = start(["dotnet", cli, "serve", "--cluster", membership, "--urls", f"http://127.0.0.1:{cport}", "--rate-limit", "0"], "serving", env)
    serve_single = start(["dotnet", cli, "serve", "--index", index, "--urls", f"http://127.0.0.1:{sport}", "--rate-limit", "0"], "serving", env)
    queries = read_npy(args.queries)[:200] if args.queries else [vec() for _ in range(200)]

    def load(port, seconds, record=None, adds=None):
        stop = time.time() + seconds; lock = threading.Lock(); count = [0]
        def worker(w):
            i = w
            while time.time() < stop:
                t0 = time.time()
                if adds is not None and i % 10 == 0:
                    st, body = post(port, "/items", {"vector": queries[i % 200], "key": f"add-{w}-{i}"}, headers={"X-Api-Key": KEY})
                    kind = "add"
                    if st == 201:
                        with lock: adds.append(body["id"])
                else:
                    kind = "search"
                    st, body = post(port, "/search", {"vector": queries[i % 200], "k": 10})
                if record is not None:
                    with lock: record.append((t0, time.time(), st, bool(body and body.get("partial")), kind))
                with lock: count[0] += 1
                i += args.workers
        ts = [threading.Thread(target=worker, args=(w,)) for w in range(args.workers)]
        [t.start() for t in ts]; [t.join() for t in ts]
        return count[0] / seconds

    load(cport, 2); load(sport, 2)  # warm-up
    result = {"index": index, "items": args.items if not args.index else None, "dim": len(queries[0]), "shards": args.shards, "silos": args.silos,
              "cluster_create": create.stdout.strip(), "cluster_create_s": round(create_s, 1), "workers": args.workers,
              "qps_single": round(load(sport, args.seconds), 1), "qps_cluster": round(load(cport, args.seconds), 1),
              "latency_single": latency(sport, queries), "latency_cluster": latency(cport, queries),
              "memory_mib": {"serve_index": memory(serve_single), "serve_cluster": memory(serve_cluster),
                             "silos": [memory(p) for p in silos]}}
    # Exactness spot check over HTTP (exact searches: HNSW graphs built apart may differ).
    same = all(post(sport, "/search", {"vector": q, "k": 10, "exact": True})[1]["results"] == post(cport, "/search", {"vector": q, "k": 10, "exact": True})[1]["results"]
               for q in queries[:50])
    result["same_results_50_queries"] = same
    if args.no_kill:
        print(json.dumps(result, indent=1)); sys.exit(0)
    record, adds = [], []
    kill_at = [None]
    def killer():
        time.sleep(5); kill_at[0] = time.time(); os.kill(silos[1].pid, signal.SIGKILL)
    threading.Thread(target=killer).start()
    load(cport, 20, record, adds)
    k = kill_at[0]
    partial = [r for r in record if r[3]]
    result.update({
        "requests": len(record), "status_5xx": sum(1 for r in record if r[2] >= 500),
        "statuses": sorted({f"{r[4]} {r[2]}" for r in record}),
        "partial_answers": len(partial),
        "last_partial_answered_after_kill_s": round(max(r[1] for r in partial) - k, 2) if partial else None,
        "last_partial_started_after_kill_s": round(max(r[0] for r in partial) - k, 2) if partial else None,
        "slowest_request_s": round(max(r[1] - r[0] for r in record), 2),
        "adds_acknowledged": len(adds),
    })
    lost = [i for i in adds if get(cport, f"/items/{i}")[0] != 200]
    result["adds_lost"] = len(lost)
    print(json.dumps(result, indent=1))
finally:
    for p in procs:
        if p.poll() is None: p.kill()
