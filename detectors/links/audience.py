"""The outreach audience core: customers a linked incident hit who have not written about the pain point."""

from __future__ import annotations

import pandas as pd

from detectors.links.inputs import read_exposures, require_columns, to_ids

AUDIENCE_COLUMNS = ("pain_point_id", "incident_id", "customer_id", "first_exposed_at")


def affected_not_written(
    links: pd.DataFrame, exposures: pd.DataFrame, ticket_authors: pd.DataFrame
) -> pd.DataFrame:
    """Return, for every link, the customers exposed to its incident who wrote no ticket in its pain point.

    Args:
        links: ``pain_point_id, incident_id`` (other columns ignored), e.g. ``PainPointLinker.links_``.
        exposures: ``incident_id, customer_id, first_exposed_at`` (``incident_customers``).
        ticket_authors: ``pain_point_id, customer_id`` of every ticket (other columns ignored).

    Returns:
        ``pain_point_id, incident_id, customer_id, first_exposed_at``, one row per (link, customer),
        sorted. Opt-in, suppression, earlier contact and holdout are the targeting step's business.

    Raises:
        LinkInputError: a frame lacks a column or has a missing id.
    """
    require_columns(links, ("pain_point_id", "incident_id"), "links")
    require_columns(ticket_authors, ("pain_point_id", "customer_id"), "ticket authors")
    pairs = pd.DataFrame(
        {
            "pain_point_id": to_ids(links["pain_point_id"], "links, column pain_point_id"),
            "incident_id": to_ids(links["incident_id"], "links, column incident_id"),
        }
    ).drop_duplicates()
    authors = pd.DataFrame(
        {
            "pain_point_id": to_ids(ticket_authors["pain_point_id"], "ticket authors, column pain_point_id"),
            "customer_id": to_ids(ticket_authors["customer_id"], "ticket authors, column customer_id"),
        }
    ).drop_duplicates()
    affected = pairs.merge(read_exposures(exposures, None), on="incident_id", how="inner")
    marked = affected.merge(authors, on=["pain_point_id", "customer_id"], how="left", indicator=True)
    audience = marked.loc[marked["_merge"] == "left_only", list(AUDIENCE_COLUMNS)]
    return audience.sort_values(
        ["pain_point_id", "incident_id", "first_exposed_at", "customer_id"]
    ).reset_index(drop=True)
