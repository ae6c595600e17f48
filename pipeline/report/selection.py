"""Which pain points the report singles out: the top of the ranking, the new and the growing."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.report.model import Incident, PainPoint, Release

TOP_PAIN_POINTS = 10
LISTED_NEW = 15  # the new pain points listed, biggest first; the rest are counted
LISTED_GROWING = 10
CHARTED_INCIDENTS = 15  # the incidents that hit most customers; the rest are listed under the table
CAMPAIGN_CARDS = 10  # newest campaigns with a card; every campaign stays in the table
VERSIONS_CHARTED_PER_PLATFORM = 6  # the newest versions with enough activity, plus any regression
# Growing: this period's tickets at least 1.5 times the previous period's and at least five more, so
# one pain point going from one ticket to two does not count as growth.
GROWTH_RATIO = 1.5
GROWTH_MIN_EXTRA_TICKETS = 5
# Error rates of versions with fewer active customer-days are noise: tabled, not charted or compared.
MIN_RELEASE_CUSTOMER_DAYS = 20
# A release is called out when it errs at least this many times as often as the one before it.
RELEASE_RATIO_WORTH_NAMING = 1.5


def top_pain_points(points: Sequence[PainPoint]) -> tuple[PainPoint, ...]:
    """The biggest pain points by customers affected, then MRR at risk (the queries sort them so)."""
    return tuple(points[:TOP_PAIN_POINTS])


def growing_pain_points(points: Sequence[PainPoint]) -> tuple[PainPoint, ...]:
    """Pain points older than the period whose ticket rate grew clearly, fastest growth first."""
    growing = [
        point
        for point in points
        if not point.is_new
        and point.tickets_this_period - point.tickets_previous_period >= GROWTH_MIN_EXTRA_TICKETS
        and point.tickets_this_period >= GROWTH_RATIO * point.tickets_previous_period
    ]
    return tuple(
        sorted(growing, key=lambda point: point.tickets_this_period - point.tickets_previous_period, reverse=True)
    )


def biggest(points: Sequence[PainPoint]) -> PainPoint:
    """The pain point affecting most customers (then most MRR at risk, then most tickets).

    Raises:
        ValueError: ``points`` is empty.
    """
    if not points:
        raise ValueError("biggest() needs at least one pain point")
    return max(points, key=lambda point: (point.customer_count, point.mrr_at_risk or 0.0, point.ticket_count))


def charted_releases(releases: Sequence[Release]) -> tuple[Release, ...]:
    """Per platform, the newest releases with enough activity for a meaningful rate, and any regression.

    Releases arrive sorted by platform, then version (oldest first).
    """
    kept: list[Release] = []
    for platform in dict.fromkeys(release.platform for release in releases):
        ours = [release for release in releases if release.platform == platform]
        active = [release for release in ours if release.active_customer_days >= MIN_RELEASE_CUSTOMER_DAYS]
        newest = set(map(id, active[-VERSIONS_CHARTED_PER_PLATFORM:]))
        kept += [release for release in ours if id(release) in newest or release.regression_incident_id]
    return tuple(kept)


def worst_release_jump(releases: Sequence[Release]) -> tuple[Release, Release] | None:
    """The (newer, previous) pair of one platform's versions whose error rate rose the most, if worth naming.

    Releases arrive sorted by platform, then version; only charted releases are compared.
    """
    best: tuple[float, Release, Release] | None = None
    charted = charted_releases(releases)
    for previous, newer in zip(charted, charted[1:], strict=False):
        if previous.platform != newer.platform or previous.errors_per_active_customer <= 0:
            continue
        ratio = newer.errors_per_active_customer / previous.errors_per_active_customer
        if ratio >= RELEASE_RATIO_WORTH_NAMING and (best is None or ratio > best[0]):
            best = (ratio, newer, previous)
    return None if best is None else (best[1], best[2])


def charted_incidents(incidents: Sequence[Incident]) -> tuple[Incident, ...]:
    """The incidents that hit most customers (then the most severe), in order of their start."""
    largest = sorted(incidents, key=lambda incident: (incident.customer_count, incident.severity or 0.0),
                     reverse=True)[:CHARTED_INCIDENTS]
    return tuple(sorted(largest, key=lambda incident: (incident.started_at, incident.incident_id)))
