#!/usr/bin/python3
"""How much class structure transfers to unseen Wikipedia classes without unseen data? (issue 3)

Class-embedding transfer ("ConSE", Norouzi et al., 2014): per medium, a softmax regression on the
5 seen classes; an item is embedded as sum_k p(k | item) * glove(k). It is what a model whose common
space is the class-embedding space can learn from seen classes alone, i.e. JFSE without synthesis.
Unseen classes: even zero-based index (the default split). mAP: cosine, full ranking, mean of both
directions. The all-class comparison (a standard-scenario model restricted to unseen items) is
`crossmedia map --classes 0,2,4,6,8`; see docs/results-jfse.md.
Run with Debian's python (numpy, scipy): /usr/bin/python3 bench/zsl-transfer/transfer.py
"""
import argparse
import numpy as np
import scipy.io

UNSEEN = [0, 2, 4, 6, 8]


def labels(path):
    return np.array([int(line.split("\t")[2]) - 1 for line in open(path).read().strip().split("\n")])


def average_precision_map(queries, query_labels, gallery, gallery_labels):
    q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    g = gallery / np.linalg.norm(gallery, axis=1, keepdims=True)
    scores = q @ g.T
    aps = []
    for i in range(len(q)):
        relevant = gallery_labels[np.argsort(-scores[i], kind="stable")] == query_labels[i]
        hits = np.cumsum(relevant)
        aps.append((hits[relevant] / (np.nonzero(relevant)[0] + 1)).mean())
    return float(np.mean(aps))


def both_directions(image, text, y):
    i2t = average_precision_map(image, y, text, y)
    t2i = average_precision_map(text, y, image, y)
    return i2t, t2i, (i2t + t2i) / 2


def softmax_regression(x, y, classes, l2=1e-3, steps=2000, lr=0.5):
    """Multinomial logistic regression on standardised features, full-batch gradient descent."""
    mu, sd = x.mean(0), x.std(0) + 1e-8
    z = (x - mu) / sd
    onehot = (y[:, None] == np.array(classes)[None]).astype(float)
    w, b = np.zeros((z.shape[1], len(classes))), np.zeros(len(classes))
    for _ in range(steps):
        logits = z @ w + b
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        grad = (p - onehot) / len(z)
        w -= lr * (z.T @ grad + l2 * w)
        b -= lr * grad.sum(0)

    def predict(x_new):
        logits = ((x_new - mu) / sd) @ w + b
        p = np.exp(logits - logits.max(1, keepdims=True))
        return p / p.sum(1, keepdims=True)
    return predict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-root", default="../shared/data")
    args = ap.parse_args()
    wiki = f"{args.data_root}/wikipedia"
    mat = scipy.io.loadmat(f"{wiki}/raw_features.mat")
    y_train, y_test = labels(f"{wiki}/trainset_txt_img_cat.list"), labels(f"{wiki}/testset_txt_img_cat.list")
    names = open(f"{wiki}/categories.list").read().split()
    vectors = {}
    for line in open(f"{args.data_root}/glove/glove.6B.100d.subset.txt", encoding="utf-8"):
        word, rest = line.split(" ", 1)
        if word in names:
            vectors[word] = np.array(rest.split(), dtype=float)
    glove = np.stack([vectors[n] for n in names])
    seen = [c for c in range(len(names)) if c not in UNSEEN]
    train, test = np.isin(y_train, seen), np.isin(y_test, UNSEEN)

    embedded = []
    for x_train, x_test in [(mat["I_tr"], mat["I_te"]), (mat["T_tr"], mat["T_te"])]:
        predict = softmax_regression(x_train[train], y_train[train], seen)
        embedded.append(predict(x_test[test]) @ glove[seen])
    print("class-embedding transfer (ConSE), unseen test: i2t %.4f  t2i %.4f  avg %.4f" % both_directions(*embedded, y_test[test]))


if __name__ == "__main__":
    main()
