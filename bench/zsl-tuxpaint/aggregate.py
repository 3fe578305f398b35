#!/usr/bin/python3
"""Summarises the runs of bench/zsl-tuxpaint/run.sh: test mAP per method, scenario and subset, mean ± standard
deviation over the seeds (sample std, n - 1), with the expected mAP of a random ranking ("chance", from
metrics.json) beside each. Usage: aggregate.py RUNS_DIR"""
import collections
import glob
import json
import os
import statistics
import sys

SHORT = {"image": "I", "text": "T", "audio": "A", "video": "V", "video-derived": "V", "all": "All"}


def fmt(values):
    if not values:
        return "–"
    mean = statistics.mean(values)
    return f"{mean:.3f} ± {statistics.stdev(values):.3f}" if len(values) > 1 else f"{mean:.3f}"


def main(runs):
    # (method, scenario, subset) -> direction -> [mAP per seed]; likewise chance levels
    maps = collections.defaultdict(lambda: collections.defaultdict(list))
    chance = collections.defaultdict(lambda: collections.defaultdict(list))
    seeds = collections.defaultdict(set)
    for path in sorted(glob.glob(os.path.join(runs, "*", "metrics.json"))):
        record = json.load(open(path))
        for r in record["results"]:
            if r["split"] != "test":
                continue
            key = (record["method"], record["scenario"], r["subset"])
            direction = f"{SHORT.get(r['query'], r['query'])}→{SHORT.get(r['gallery'], r['gallery'])}"
            maps[key][direction].append(r["map"])
            if r.get("chance") is not None:
                chance[key][direction].append(r["chance"])
            seeds[key].add(record["seed"])
    directions = sorted({d for v in maps.values() for d in v})
    print("| method | scenario | subset | seeds | " + " | ".join(directions) + " | average | chance (average) |")
    print("|---|---|---|---|" + "---|" * (len(directions) + 2))
    order = {"standard": 0, "zsl": 1, "gzsl": 2}
    for key in sorted(maps, key=lambda k: (order.get(k[1], 9), k[2], k[0])):
        method, scenario, subset = key
        per_seed = [statistics.mean(v) for v in zip(*(maps[key][d] for d in directions if maps[key][d]))]
        chance_avg = [statistics.mean(v) for v in zip(*(chance[key][d] for d in directions if chance[key][d]))]
        cells = [fmt(maps[key][d]) for d in directions]
        print(f"| {method} | {scenario} | {subset} | {len(seeds[key])} | " + " | ".join(cells)
              + f" | **{fmt(per_seed)}** | {fmt(chance_avg)} |")


if __name__ == "__main__":
    main(sys.argv[1])
