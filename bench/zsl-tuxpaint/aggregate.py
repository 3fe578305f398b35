#!/usr/bin/python3
"""Summarises the runs of bench/zsl-tuxpaint/run.sh: test mAP per method, scenario and subset, mean ± standard
deviation over the seeds (sample std, n - 1), with the expected mAP of a random ranking ("chance") beside each:
from metrics.json, or, for records without it, computed here from the features' test labels with the same
formula (E[AP] = (H_N + (N - H_N)(R - 1)/(N - 1)) / N for R relevant among N; 0 without relevant items).
Usage: aggregate.py RUNS_DIR [FEATURES_DIR]"""
import ast
import collections
import glob
import json
import os
import statistics
import struct
import sys

SHORT = {"image": "I", "text": "T", "audio": "A", "video": "V", "video-derived": "V", "all": "All"}


def fmt(values):
    if not values:
        return "–"
    mean = statistics.mean(values)
    return f"{mean:.3f} ± {statistics.stdev(values):.3f}" if len(values) > 1 else f"{mean:.3f}"


def read_labels(path):
    """A 1-d integer .npy (what `crossmedia features` writes for labels), with the standard library only."""
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise ValueError(f"{path}: not a .npy file")
        major = f.read(2)[0]
        header_length = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))[0]
        header = ast.literal_eval(f.read(header_length).decode("latin1"))  # a dict literal, by the format
        code = {"<i8": "q", "<i4": "i", "<u1": "B"}[header["descr"]]
        data = f.read()
        return list(struct.unpack(f"<{len(data) // struct.calcsize(code)}{code}", data))


def expected_random_map(query_labels, gallery_labels):
    """Mean over queries of the expected AP of a uniformly random ranking of the gallery."""
    n = len(gallery_labels)
    harmonic = sum(1.0 / i for i in range(1, n + 1))
    counts = collections.Counter(gallery_labels)
    total = 0.0
    for q in query_labels:
        r = counts.get(q, 0)
        if r > 0:
            total += (harmonic + (n - harmonic) * (r - 1) / (n - 1 if n > 1 else 1)) / n
    return total / len(query_labels)


def chance_from_features(features, record, row):
    """Chance level of a result row from the features' test labels, the subset's classes and the two media."""
    if features is None or row["gallery"] == "all":
        return None
    classes = json.load(open(os.path.join(features, "manifest.json")))["classes"]
    unseen = {classes.index(c) for c in record["config"].get("unseen_classes", [])}
    keep = {"unseen": lambda c: c in unseen, "seen": lambda c: c not in unseen}.get(row["subset"], lambda c: True)

    def labels(medium):
        return [c for c in read_labels(os.path.join(features, f"{medium}_test_labels.npy")) if keep(c)]

    return expected_random_map(labels(row["query"]), labels(row["gallery"]))


def main(runs, features=None):
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
            level = r.get("chance")
            if level is None:
                level = chance_from_features(features, record, r)
            if level is not None:
                chance[key][direction].append(level)
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
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
