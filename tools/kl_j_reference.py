#!/usr/bin/env python3
"""Independent numpy reference for the KL-J threshold (shared/spec/algorithms.md, section A).

Writes testdata/klj/: small hand-made float32 arrays (*.npy) covering the edge cases, and expected.tsv with the
threshold section A gives for each array and for real activations from ../shared/reference, at 6 and 8 bits.
The Java tests (KlJThresholdTest) must pick the same histogram bin. Run from the repository root:
    python3 tools/kl_j_reference.py
"""
import os
import sys
import numpy as np


def kl_j(data, bitwidth):
    x = np.abs(np.asarray(data, dtype=np.float32).ravel())
    mx = x.max()
    if np.isclose(mx, 0.0):
        return 0.0, 0
    hist, edges = np.histogram(x, 'sqrt', range=(0, mx), density=True)
    hist = hist / np.sum(hist)
    cdf = np.cumsum(hist)
    nb = len(edges) - 1
    n = 2 ** (bitwidth - 1)
    if n + 1 > nb:
        return float(edges[-1]), nb
    width = edges[1] - edges[0]
    best_d, best_i = None, None
    for i in range(n + 1, nb + 1):
        p = cdf.copy()
        p[i - 1:] = 1
        down = np.interp(np.linspace(0., 1., n), np.linspace(0., 1., i), p[:i])
        q = p.copy()
        q[:i] = np.interp(np.linspace(0., 1., i), np.linspace(0., 1., n), down)
        if 0. in q:
            return float(mx), nb
        d = np.sum((cdf - q) * np.log2(cdf / q))
        if best_d is None or d < best_d:
            best_d, best_i = d, i
    return float((best_i + 0.5) * np.float64(width)), nb


def hand_made(rng):
    relu = np.maximum(rng.laplace(0, 1.5, 20000), 0).astype(np.float32)       # many exact zeros, long tail
    signed = rng.normal(0, 3, 18000).astype(np.float32)
    signed[signed == 0] = 1e-3                                                 # no zero: the 'sqrt' rule adds bins
    no_zero = (rng.uniform(0.5, 4.0, 8000) * rng.choice([-1, 1], 8000)).astype(np.float32)
    empty_first = rng.uniform(5.0, 10.0, 8000).astype(np.float32)            # first half of the bins empty
    few_bins = rng.normal(0, 1, 900).astype(np.float32)                       # 30 bins < 2^(bw-1) + 1
    spiky = np.concatenate([np.zeros(3000), rng.exponential(0.2, 15000), [40.0]]).astype(np.float32)
    return {"relu_laplace": relu, "gauss_signed": signed, "no_zero": no_zero, "empty_first_bins": empty_first,
            "few_bins": few_bins, "spiky_outlier": spiky}


REAL = [  # (model folder, layer key) from ../shared/reference
    ("lenet_mnist", "conv1"), ("lenet_mnist", "relu1"), ("cifar10_quick", "conv1"), ("cifar10_quick", "relu2"),
    ("resnet20_cifar10", "BatchNorm1"), ("resnet20_cifar10", "ReLU5"), ("resnet20_cifar10", "Eltwise9"),
]


def main():
    out = os.path.join("testdata", "klj")
    os.makedirs(out, exist_ok=True)
    rows = []
    for name, arr in hand_made(np.random.default_rng(20261121)).items():
        np.save(os.path.join(out, name + ".npy"), arr)
        for bw in (6, 8):
            th, nb = kl_j(arr, bw)
            rows.append(("testdata", name, bw, nb, th))
    shared = os.path.join("..", "shared", "reference")
    for model, key in REAL:
        path = os.path.join(shared, model, "layers", key + ".npy")
        if not os.path.exists(path):
            sys.exit("missing " + path)
        arr = np.load(path)
        for bw in (6, 8):
            th, nb = kl_j(arr, bw)
            rows.append((model, key, bw, nb, th))
    with open(os.path.join(out, "expected.tsv"), "w") as f:
        f.write("source\tarray\tbitwidth\tbins\tthreshold\n")
        for r in rows:
            f.write("%s\t%s\t%d\t%d\t%.17g\n" % r)
    print("\n".join("\t".join(map(str, r)) for r in rows))


if __name__ == "__main__":
    main()
