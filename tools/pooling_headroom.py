#!/usr/bin/env python3
"""How often images exceed an average pooling's calibrated range, and what headroom costs: the measurement behind
quant.PoolingHeadroom's factor. Reads what tools/PooledOutputs.java wrote for one AVE pooling (float outputs per
image) and models the DynamicFixed device's output: the finest 8-bit format holding h x the calibration maximum,
codes floored and wrapped into the 8-bit container.

Usage: tools/pooling_headroom.py OUT LAYER    (OUT as given to PooledOutputs.java)

Prints, for factors h:
* held-out: images neither calibrating nor scored (only when OUT/scored.txt exists, i.e. a sample is scored): the
  share whose largest |output| exceeds h x the calibration maximum, and the pooled outputs' SQNR with the wrap and
  with saturation instead (the resolution's cost alone);
* folds: 300 random halvings of the calibration images; the format chosen on one half, counted on the other: the
  share of images above h x the half's maximum, images that wrap, top-1 agreement of the pooled values with the
  float ones (meaningful where they are class scores) and tied top-1.
No scored image is read.
"""
import sys
import numpy as np

FACTORS = (1.0, 1.1, 1.25, 1.5, 1.75, 2.0)


def indices(path):
    with open(path) as f:
        return [int(line) for line in f.read().split()]


def finest_fl(maximum):
    """DynamicFixed.largestFl for 8 bits: the finest fl whose codes hold maximum."""
    fl = 31
    while maximum * 2.0 ** fl >= 127.5:
        fl -= 1
    return fl


def device(values, fl):
    """Codes as the device's pooling writes them (floored, low 8 bits) and per image whether one wrapped."""
    codes = np.floor(values * 2.0 ** fl)
    wrapped = (codes + 128) % 256 - 128
    return wrapped, (codes != wrapped).any(axis=1)


def sqnr(reference, values):
    return 10 * np.log10((reference ** 2).sum() / ((values - reference) ** 2).sum())


def main(out, layer):
    n = len(indices(f"{out}/labels.txt"))
    x = np.fromfile(f"{out}/{layer.replace('/', '_')}.f32", dtype='>f4').astype(np.float64).reshape(n, -1)
    calibration = indices(f"{out}/calibration.txt")
    c = x[calibration]
    maximum = np.abs(c).max()
    print(f"{layer}: {n} images x {x.shape[1]} values; {len(calibration)} calibrate, largest |output| {maximum:.4g}")
    try:
        excluded = set(calibration) | set(indices(f"{out}/scored.txt"))
        held = x[[i for i in range(n) if i not in excluded]]
    except FileNotFoundError:
        held = None
    if held is not None and len(held):
        peaks = np.abs(held).max(axis=1)
        print(f"held-out ({len(held)} images neither calibrating nor scored):")
        for h in FACTORS:
            fl = finest_fl(h * maximum)
            codes, _ = device(held, fl)
            saturated, _ = device(np.clip(held, -128 * 2.0 ** -fl, 127 * 2.0 ** -fl), fl)
            print(f"  h {h:4.2f}: {100 * (peaks > h * maximum).mean():5.2f}% above h x max; fl {fl}, "
                  f"SQNR {sqnr(held, codes * 2.0 ** -fl):5.2f} dB wrapped, "
                  f"{sqnr(held, saturated * 2.0 ** -fl):5.2f} dB saturated")
    rng = np.random.default_rng(0)
    print("split-half folds of the calibration images (300 random splits, both ways):")
    for h in FACTORS:
        above, wraps, agree, tied = [], [], [], []
        for _ in range(300):
            p = rng.permutation(len(c))
            a, b = c[p[:len(p) // 2]], c[p[len(p) // 2:]]
            for chosen, counted in ((a, b), (b, a)):
                half = np.abs(chosen).max()
                codes, wrapped = device(counted, finest_fl(h * half))
                above.append((np.abs(counted).max(axis=1) > h * half).mean())
                wraps.append(wrapped.mean())
                agree.append((codes.argmax(axis=1) == counted.argmax(axis=1)).mean())
                tied.append(((codes == codes.max(axis=1, keepdims=True)).sum(axis=1) > 1).mean())
        print(f"  h {h:4.2f}: {100 * np.mean(above):5.2f}% above h x max, {100 * np.mean(wraps):5.2f}% wrap; "
              f"top-1 agreement {100 * np.mean(agree):5.2f}%, tied {100 * np.mean(tied):5.2f}%")


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
