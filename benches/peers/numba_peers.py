"""The numba peers of docs/performance.md, on one core: W1 (two-noise EM, terminal mean
and variance) and the exit problem with the Brownian-bridge correction, as careful
numba loops with numpy's Generator (PCG64) would write them.

    pip install numba numpy
    NUMBA_NUM_THREADS=1 taskset -c 0 python3 benches/peers/numba_peers.py

Prints path-steps per second, best of five runs after a warm-up (compilation excluded).
"""

import math
import time

import numpy as np
from numba import njit

A, SIGMA, TAU, RHO, X0 = 1.0, 1.0, 0.5, 0.3, 0.1


@njit(cache=False, fastmath=False)
def w1(rng, paths, steps, h):
    sq = math.sqrt(h)
    c = math.sqrt(1.0 - RHO * RHO)
    s1 = 0.0
    s2 = 0.0
    for _ in range(paths):
        x = X0
        for _ in range(steps):
            z1 = rng.standard_normal()
            z2 = rng.standard_normal()
            dw = sq * z1
            du = sq * (RHO * z1 + c * z2)
            x = x + A * x * h + SIGMA * x * dw + TAU * du
        s1 += x
        s2 += x * x
    m = s1 / paths
    return m, s2 / paths - m * m


@njit(cache=False, fastmath=False)
def escape(rng, paths, h, horizon, lo, hi, bridge):
    sq = math.sqrt(h)
    c = math.sqrt(1.0 - RHO * RHO)
    max_steps = int(horizon / h)
    total_steps = 0
    total_time = 0.0
    for _ in range(paths):
        x = X0
        n = 0
        while n < max_steps:
            z1 = rng.standard_normal()
            z2 = rng.standard_normal()
            dw = sq * z1
            du = sq * (RHO * z1 + c * z2)
            y = x + A * x * h + SIGMA * x * dw + TAU * du
            n += 1
            if y <= lo or y >= hi:
                break
            if bridge:
                g2h = (SIGMA * SIGMA * x * x + 2.0 * RHO * SIGMA * TAU * x + TAU * TAU) * h
                e_lo = 2.0 * (x - lo) * (y - lo)
                e_hi = 2.0 * (hi - x) * (hi - y)
                cut = 40.0 * g2h
                if e_lo < cut or e_hi < cut:
                    p = math.exp(-e_lo / g2h) + math.exp(-e_hi / g2h)
                    if rng.random() < p:
                        break
            x = y
        total_steps += n
        total_time += n * h
    return total_steps, total_time / paths


def best_of(f, *args, reps=5):
    best = math.inf
    out = None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f(*args)
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    rng = np.random.default_rng(1)
    w1(rng, 10, 10, 1e-3)
    escape(rng, 10, 1e-3, 50.0, -0.5, 1.0, True)
    paths, steps = 100_000, 1000
    t, (m, v) = best_of(w1, rng, paths, steps, 1e-3)
    print(f"W1 two-noise EM: {paths * steps / t:.3e} path-steps/s (mean {m:.4f}, variance {v:.4f})")
    for bridge in (True, False):
        t, (n, mean_t) = best_of(escape, rng, 20_000, 1e-3, 50.0, -0.5, 1.0, bridge)
        name = "bridge" if bridge else "none"
        print(f"escape ({name}): {n / t:.3e} path-steps/s (mean exit time {mean_t:.4f})")


if __name__ == "__main__":
    main()
