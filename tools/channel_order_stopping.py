#!/usr/bin/env python3
"""Simulates the channel-order check's sequential signed-rank test (pipeline.ChannelOrderCheck) against the fixed
test on all 128 images, to choose and state its stopping bounds without any net's images.

Per image the difference (reversed order's log-odds minus the given order's) is drawn N(mu, 1): mu = 0 is a net
without a preferred order, mu > 0 a wrong order (the reversed one is surer), mu < 0 the right one; mu = 0.3 gives
about 3.2 standard deviations on 128 images, -0.33 about 3.5, -0.6 about 6.3. Printed per mu: how often the
sequential test warns, how often the fixed test on 128 would, how often the fixed test would warn and the
sequential one does not (what stopping early loses), and the mean number of images read.

Run: python3 tools/channel_order_stopping.py  (numpy; about a minute)
"""
import numpy as np

MAX_IMAGES = 128
LOOKS = [32, 48, 64, 80, 96, 112, 128]  # FIRST_LOOK, then every LOOK_EVERY
CLEAR = 3.0  # the fixed test, at the last look
GIVEN_CLEAR = 1.5  # stop without a warning at a look
EARLY_WARNING = 4.0  # warn at a look before the last
DRAWS = 200_000


def signed_rank_z(d):
    """Wilcoxon's signed-rank z of each row (continuous differences: no ties, no zeros)."""
    n = d.shape[1]
    ranks = np.abs(d).argsort(1).argsort(1) + 1
    return (np.sign(d) * ranks).sum(1) / np.sqrt(n * (n + 1) * (2 * n + 1) / 6)


def simulate(mu, rng):
    d = rng.standard_normal((DRAWS, MAX_IMAGES)) + mu
    warned = np.zeros(DRAWS, bool)
    decided = np.zeros(DRAWS, bool)
    read = np.full(DRAWS, MAX_IMAGES)
    fixed = None
    for n in LOOKS:
        z = signed_rank_z(d[:, :n])
        if n == MAX_IMAGES:
            fixed = z > CLEAR
            warned |= ~decided & fixed
            break
        warn = ~decided & (z >= EARLY_WARNING)
        stop = ~decided & ((z <= -GIVEN_CLEAR) | (z >= EARLY_WARNING))
        warned |= warn
        read[stop] = n
        decided |= stop
    return warned.mean(), fixed.mean(), (fixed & ~warned).mean(), read.mean()


def main():
    rng = np.random.default_rng(1)
    print("mu      sequential-warns  fixed-128-warns  lost     mean-images")
    for mu in (-0.6, -0.33, 0, 0.1, 0.2, 0.3, 0.4, 0.6):
        warns, fixed, lost, images = simulate(mu, rng)
        print(f"{mu:5.2f}   {warns:.5f}           {fixed:.5f}          {lost:.5f}  {images:.1f}")


if __name__ == "__main__":
    main()
