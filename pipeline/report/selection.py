"""Which pain points the report singles out: the top of the ranking, the new and the growing."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.report.model import PainPoint

TOP_PAIN_POINTS = 10
# Growing: this period's tickets at least 1.5 times the previous period's and at least five more, so
# one pain point going from one ticket to two does not count as growth.
GROWTH_RATIO = 1.5
GROWTH_MIN_EXTRA_TICKETS = 5


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


def biggest(points: Sequence[PainPoint]) -> PainPoint | None:
    """The pain point affecting most customers (then most MRR at risk), or None."""
    if not points:
        return None
    return max(points, key=lambda point: (point.customer_count, point.mrr_at_risk or 0.0, point.ticket_count))
