"""The random distributions `random.Random` lacks, drawn from the simulation's stream."""

from __future__ import annotations

import math
import random


def poisson(rng: random.Random, mean: float) -> int:
    """How many events happen in a period when `mean` are expected (Knuth's method; a normal
    approximation above 30, where the product of uniforms would need too many draws)."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def geometric(rng: random.Random, p: float) -> int:
    """The number of trials up to the first success, each succeeding with probability p (mean 1/p)."""
    return 1 + int(math.log(1 - rng.random()) / math.log(1 - p))
