"""Named, independent random streams, so one part of the world can change without reshuffling the rest.

Every stream derives from the world seed and a fixed stream number (never from hash() or dict order), so
the same seed always gives the same draws, and turning dirt off leaves the clean world untouched.
"""

from __future__ import annotations

import random

import numpy as np

STREAMS: dict[str, int] = {
    "customers": 1,
    "releases": 2,
    "incidents": 3,
    "events": 4,
    "tickets": 5,
    "text": 6,
    "dirt": 7,
}


def generator(seed: int, stream: str, *keys: int) -> np.random.Generator:
    """A numpy generator for ``stream`` (plus optional integer sub-keys, e.g. the day number)."""
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(STREAMS[stream], *keys)))


def text_random(seed: int, stream: str, *keys: int) -> random.Random:
    """A stdlib Random for fast per-item text choices, derived like ``generator``."""
    state = np.random.SeedSequence(entropy=seed, spawn_key=(STREAMS[stream], *keys)).generate_state(2, np.uint64)
    return random.Random(int(state[0]) << 64 | int(state[1]))
