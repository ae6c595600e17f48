"""How finely to cut the neighbour graph: the Louvain resolution whose groups survive resampling.

The resolution used to grow with the number of texts. Measured on BANKING77 (77 intents) and
CLINC150 (150 intents) and on random samples of 1,500 to 5,000 of their texts, the resolution that
recovers the intents depends on how the texts are spread, not on their count alone: a 1,500-text
sample of CLINC150 needs about 16-32, all 18,000 texts about 8, all of BANKING77 about 4-8. A count
rule lumps a small queue's problems together ("card problems" for five different ones).

The rule here reads the structure instead: for each resolution of a geometric grid, Louvain cuts
a few random 80% subsets of the graph (the induced subgraph, so no new neighbour search), and the
agreement of those cuts on the texts they share (adjusted Rand index) tells how well the data
support that granularity. Groups that are real come back whichever texts are left out; a cut
that splits one problem in two, or joins two, lands differently each time. The agreement is
smoothed over neighbouring resolutions (one subset draw is noisy), and the middle of the
resolutions whose agreement is within one sweep's noise of the best is taken (``plateau_middle``).

A cut that leaves most texts alone (a small queue at a high resolution: every ticket its own
community) agrees perfectly with itself on any subset, and so does a cut that keeps everything in
one group; neither says anything about the data. Such trivial cuts are no candidates: a
resolution is judged only when at least half the texts of its cuts sit in groups of
``MIN_GROUP`` or more and there are at least two groups.
This is clustering stability in the sense of Ben-Hur et al. (2002) and Lange et al. (2004).

The stability of a cut also depends on the graph it is read on. With a fixed 20 neighbours per
text, a 1,500-text sample of BANKING77 (about 20 texts per intent) joins each text to as many texts
of other intents as of its own, and the most stable cut there lumps about 50 of its 73 intents; all
10,003 texts (about 130 per intent) reach barely a sixth of their own intent, and the most stable
cut splits 77 intents into 95-99. So the degree is read from the data too (``neighbours_for``): a
first cut on the 20-neighbour graph says how large a typical problem is, and each text is then
joined to about a third of that many neighbours before the resolution is read again.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import scipy.sparse as sp

from detectors.painpoints.louvain import louvain

# Resolutions tried: 1 to 32 by factors of sqrt(2). Below 1 modularity joins unrelated topics;
# above 32 no measured set (77 to 150 problems, 1,500 to 50,000 texts) had its best agreement.
RESOLUTION_GRID = tuple(float(2 ** (i / 2)) for i in range(11))
# Share of the texts each subset keeps: small enough that a weakly held group can fall apart,
# large enough that every group of 10 texts keeps most of its members.
SUBSET_SHARE = 0.8
# Fewer texts than this: too few to resample, the lowest resolution of the grid is used.
MIN_TEXTS = 40
# The smallest group that can become a pain point (the clusterer's floor) and the share of the
# texts that must sit in such groups for a cut to count as a grouping rather than scattered singles.
MIN_GROUP = 3
MIN_GROUPED_SHARE = 0.5
# The graph's degree as a share of the typical problem's size (texts per group of the first cut),
# within NEIGHBOUR_RANGE. Measured on BANKING77 and CLINC150 and 1,500 to 5,000-text samples of them
# (single Louvain cuts on cached vectors): every share from 0.2 to 0.4 brought the samples' NMI
# within 0.02 of the full sets' on both, where a fixed 20 left gaps of 0.03; the fuller sets choose
# 0.3 over 0.4 (BANKING77 0.825 against 0.818), and below 0.2 the graph breaks problems into
# near-duplicate cliques. Fewer than 10 neighbours leave a small queue's graph in fragments; more
# than 40 cost the 50,000-ticket run its time budget for no measured gain.
NEIGHBOUR_SHARE = 0.3
NEIGHBOUR_RANGE = (10, 40)
# The degree of the first graph, whose cut only sizes the problems, and the resolutions its sweep
# tries: every other one of the grid (a factor 2 apart) sizes them as well for half the cuts.
PROBE_NEIGHBOURS = 20
PROBE_GRID = RESOLUTION_GRID[::2]
# How far below the best agreement a finer resolution may be and still be taken because it matches
# the earlier run's groups: on BANKING77 one graph's agreement is 0.82-0.87 over resolutions 1 to 32
# (a flat curve, its best point moved by the subset draw), so a difference this small says nothing,
# and a refit should not change how finely ids are cut on it. Without it, refitting all of BANKING77
# after 70% of it (float32) read resolution 1 instead of 8 and 84% of the tickets kept their id.
PRIOR_TOLERANCE = 0.02
# A chosen resolution is kept between runs over the same kind of vectors until the queue grew or
# shrank by this share of its texts, or the choice is this old: an hourly run adds well under 1% of
# a 30-day window, and how finely the queue's problems are cut does not change within a day, while
# the sweep costs 11 x 3 Louvain cuts (about 5 s at 42,000 texts).
RESWEEP_CHANGE = 0.10
RESWEEP_AGE = timedelta(hours=24)
# How far below the best smoothed agreement a neighbouring resolution may be and still count as the
# same plateau, whose middle is taken instead of its best point (``plateau_middle``). On BANKING77 the
# curve is flat from about 4 to 22.6 (its intents overlap), and where along it the single best point
# falls is the subset draw's noise: 1,500 / 3,000-text samples swung between 54 and 113 pain points for
# 71-77 intents. The tolerance is that noise, the same as ``PRIOR_TOLERANCE``: one grid point's smoothed
# agreement moves by 0.0076 (standard deviation, 0.006-0.011) between sweeps of other subset draws
# (12 samples of both sets, five sweeps each), so two points' difference by about 0.011, and two of
# those, 0.02, is what one sweep cannot tell apart. 0.01 (stop 48) left flat curves to the noise: the
# 50,000-ticket set read 16 or 1 by machine (231 or 54 pain points for 77 intents).
PLATEAU_TOLERANCE = PRIOR_TOLERANCE
# Subset cuts per resolution: the cost grows with n, the noise of one agreement shrinks with it,
# so small inputs get more draws (at least 3, at most 8; about 60,000 node visits per resolution).
# 30,000 gave 5,000-text BANKING77 samples 6 draws and a flat agreement curve two of five seeds
# read 107 / 131 pain points off (77 intents); 8 draws took one of them to 95.
_DRAW_BUDGET = 60_000


@dataclass(frozen=True)
class Granularity:
    """How finely a run cut its queue: the graph's degree and the Louvain resolution."""

    resolution: float
    neighbours: int


@dataclass(frozen=True)
class ResolutionChoice:
    """The chosen resolution and the evidence: (resolution, mean agreement) per grid point."""

    resolution: float
    agreement: tuple[tuple[float, float], ...]


def stable_resolution(
    graph: sp.csr_matrix,
    seed: int = 0,
    grid: tuple[float, ...] = RESOLUTION_GRID,
    prior: np.ndarray | None = None,
    plateau_tolerance: float = 0.0,
) -> ResolutionChoice:
    """The grid resolution at which Louvain's groups agree best across random subsets of the graph.

    Args:
        graph: symmetric weighted neighbour graph.
        seed: makes the subsets and Louvain runs repeatable.
        grid: candidate resolutions, ascending.
        prior: each node's group in an earlier run (-1 for nodes new since). Among the resolutions
            whose agreement is within ``PRIOR_TOLERANCE`` of the best, the one whose cuts match the
            earlier groups best is taken: within the noise of one sweep a refit neither joins what the
            last fit held apart nor splits what it held together; beyond it the data decide. Coarser
            ones count too since tickets follow the refit (``identity``): finer ones only made every
            chance split permanent (BANKING77 texts replayed daily ended at 99-104 pain points for 70
            intents; both ways 57-89, NMI 0.817-0.821 against 0.810-0.819).
        plateau_tolerance: with more than 0, the middle of the plateau around the best resolution
            (``plateau_middle``) is taken instead of the best point itself.
    """
    n = graph.shape[0]
    if n < MIN_TEXTS or graph.nnz == 0:
        return ResolutionChoice(grid[0], ())
    rng = np.random.default_rng(seed)
    draws = int(np.clip(_DRAW_BUDGET // n, 3, 8))
    subsets = [np.sort(rng.choice(n, int(SUBSET_SHARE * n), replace=False)) for _ in range(draws)]
    subgraphs = [graph[s][:, s].tocsr() for s in subsets]
    jobs = [(g, d) for g in range(len(grid)) for d in range(draws)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # the compiled part drops the GIL
        cuts = list(pool.map(lambda job: louvain(subgraphs[job[1]], resolution=grid[job[0]], seed=seed * 7919 + job[1]), jobs))
    agreement = np.array([_agreement(subsets, cuts[g * draws : (g + 1) * draws], n) for g in range(len(grid))])
    judged = np.array([not _trivial(cuts[g * draws : (g + 1) * draws]) for g in range(len(grid))])
    if not judged.any():
        return ResolutionChoice(grid[0], tuple(zip(grid, agreement.round(4).tolist(), strict=True)))
    smoothed = smoothed_agreement(agreement, judged)
    best = plateau_middle(smoothed, plateau_tolerance)
    prior = None if prior is None else np.asarray(prior)
    if prior is not None and (prior >= 0).sum() >= MIN_TEXTS:
        near = np.flatnonzero(smoothed >= smoothed.max() - PRIOR_TOLERANCE)
        match = [_prior_match(subsets, cuts[g * draws : (g + 1) * draws], prior) for g in near]
        best = int(near[int(np.argmax(match))])
    return ResolutionChoice(grid[best], tuple(zip(grid, agreement.round(4).tolist(), strict=True)))


def smoothed_agreement(agreement: np.ndarray, judged: np.ndarray) -> np.ndarray:
    """Each grid point's agreement averaged with its neighbours'; -inf where it is no candidate.

    The grid's top is where the search stops, not a bound of the data: smoothed with itself in place of a
    finer neighbour, it won on curves still rising by noise (CLINC150 5,000-text samples: 188-191 pain
    points for 150 intents at 32; 140-156, at a higher NMI, without it). So it is a candidate only when
    nothing below it is. Resolution 1, plain modularity, is a bound and stays one.
    """
    smoothed = np.convolve(np.pad(agreement, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    smoothed = np.where(judged, smoothed, -np.inf)
    if smoothed.size > 2 and np.isfinite(smoothed[:-1]).any():
        smoothed[-1] = -np.inf
    return smoothed


def plateau_middle(smoothed: np.ndarray, tolerance: float) -> int:
    """Index of the middle of the run of neighbouring grid points within ``tolerance`` of the best.

    Along a plateau the agreement differs by less than one sweep's noise, so its best point is as
    likely at either end; its middle is the granularity the whole plateau supports. Only the run
    that holds the best counts: an equally good point elsewhere on the grid, across a dip, is another
    granularity (the 50,000-ticket set's curve ties at resolutions 1 and 22.6), and averaging the two
    would take a resolution neither supports. The lower middle is taken when the run's length is even.
    """
    best = int(np.argmax(smoothed))
    low = high = best
    floor = smoothed[best] - tolerance
    while low > 0 and smoothed[low - 1] >= floor:
        low -= 1
    while high < smoothed.size - 1 and smoothed[high + 1] >= floor:
        high += 1
    return (low + high) // 2


def _prior_match(subsets: list[np.ndarray], cuts: list[np.ndarray], prior: np.ndarray) -> float:
    """Mean adjusted Rand index between each subset cut and the earlier groups, on the texts that had one."""
    scores = []
    for subset, labels in zip(subsets, cuts, strict=True):
        known = prior[subset] >= 0
        scores.append(adjusted_rand(prior[subset][known], labels[known]))
    return float(np.mean(scores))


def neighbours_for(labels: np.ndarray) -> int:
    """The graph degree for a queue whose first cut is ``labels``: a share of its typical group's size.

    The typical size is the mean over groups of ``MIN_GROUP`` texts or more (the texts per problem a
    ticket sees); a cut with no such group keeps ``PROBE_NEIGHBOURS``.
    """
    sizes = np.bincount(np.asarray(labels, dtype=np.int64))
    sizes = sizes[sizes >= MIN_GROUP]
    if sizes.size == 0:
        return PROBE_NEIGHBOURS
    typical = sizes.sum() / sizes.size
    low, high = NEIGHBOUR_RANGE
    return int(np.clip(round(NEIGHBOUR_SHARE * typical), low, high))


def _trivial(cuts: list[np.ndarray]) -> bool:
    """Whether the cuts are mostly singletons or a single group: perfect agreement that means nothing."""
    grouped, groups = [], []
    for labels in cuts:
        _, sizes = np.unique(labels, return_counts=True)
        grouped.append(sizes[sizes >= MIN_GROUP].sum() / max(len(labels), 1))
        groups.append(len(sizes))
    return float(np.mean(grouped)) < MIN_GROUPED_SHARE or float(np.median(groups)) < 2


def adjusted_rand(a: np.ndarray, b: np.ndarray) -> float:
    """Adjusted Rand index of two integer labelings of the same texts (Hubert and Arabie, 1985).

    The value of ``sklearn.metrics.adjusted_rand_score`` to the last bit (the same integer pair
    counts and the same final formula), without its input checks: a sweep compares a few hundred
    cuts, and on a small queue the checks took most of its time (a 3,000-customer world's daily
    replay spent 25 s of 115 s in sklearn's index, 15 s of them in its checks).
    """
    n = int(a.size)
    if n == 0:
        return 1.0
    _, a_codes = np.unique(a, return_inverse=True)
    _, b_codes = np.unique(b, return_inverse=True)
    # The non-empty cells of the contingency table, keyed by (a's group, b's group).
    _, cells = np.unique(a_codes.astype(np.int64) * (int(b_codes.max()) + 1) + b_codes, return_counts=True)
    same_both = int((cells.astype(np.int64) ** 2).sum())
    same_a = int((np.bincount(a_codes).astype(np.int64) ** 2).sum())
    same_b = int((np.bincount(b_codes).astype(np.int64) ** 2).sum())
    # Ordered pairs of distinct texts (sklearn's pair confusion matrix).
    tp = same_both - n
    fp = same_b - same_both
    fn = same_a - same_both
    tn = n * n - fp - fn - same_both
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _agreement(subsets: list[np.ndarray], cuts: list[np.ndarray], n: int) -> float:
    """Mean adjusted Rand index of every pair of subset cuts over the texts both subsets hold."""
    full = []
    for subset, labels in zip(subsets, cuts, strict=True):
        spread = np.full(n, -1, dtype=np.int64)
        spread[subset] = labels
        full.append(spread)
    scores = []
    for a, b in itertools.combinations(full, 2):
        both = (a >= 0) & (b >= 0)
        scores.append(adjusted_rand(a[both], b[both]))
    return float(np.mean(scores))


def kept_granularity(saved: Mapping[str, Any] | None, n_texts: int, space: str, now: datetime) -> Granularity | None:
    """The granularity an earlier run chose, while it still holds for ``n_texts`` in ``space``; else None.

    ``saved`` is what ``granularity_state`` returned for that run; ``space`` names the kind of vectors
    (``vector_space`` of the embedder's name): a granularity read from other vectors says nothing.
    A state from before the degree was read from the data (no ``neighbours``) is read again.
    """
    if not saved or saved.get("space") != space:
        return None
    try:
        resolution, texts = float(saved["resolution"]), int(saved["texts"])
        neighbours = int(saved["neighbours"])
        chosen_at = datetime.fromisoformat(saved["chosen_at"])
    except (KeyError, TypeError, ValueError):
        return None
    if texts <= 0 or neighbours < 1:
        return None
    if abs(n_texts - texts) > RESWEEP_CHANGE * texts or not timedelta(0) <= now - chosen_at < RESWEEP_AGE:
        return None
    return Granularity(resolution, neighbours)


def granularity_state(chosen: Granularity, n_texts: int, space: str, now: datetime) -> dict[str, Any]:
    """What a run keeps of a granularity it read from the data, for ``kept_granularity`` of later runs."""
    return {
        "resolution": chosen.resolution,
        "neighbours": chosen.neighbours,
        "texts": n_texts,
        "space": space,
        "chosen_at": now.isoformat(),
    }


def vector_space(embedder_name: str) -> str:
    """The kind of vectors an embedder makes, without the digest or run of its fitted weights."""
    return re.split(r"[#@]", embedder_name, maxsplit=1)[0]
