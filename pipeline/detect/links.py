"""Link pain points to the incidents their authors hit shortly before writing in."""

from __future__ import annotations

import logging
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine

from detectors.links import PainPointLinker
from pipeline.detect.settings import DetectSettings
from pipeline.warehouse.frames import read_frame
from sql import statement

log = logging.getLogger(__name__)

LINK_FIELDS = (
    "pain_point_id", "incident_id", "lift", "p_value", "q_value", "exposed_authors", "expected_exposed_authors",
    "authors", "exposed_customers", "text_match", "strength",
)


def link_pain_points(engine: Engine, as_of: datetime, settings: DetectSettings) -> int:
    """Recompute ``pain_point_incidents`` as of ``as_of``; returns the number of links."""
    with engine.connect() as connection:
        tickets = read_frame(
            connection, "select_pain_point_tickets", {"as_of": as_of}, ["pain_point_id", "customer_id", "created_at", "text"]
        )
        exposures = read_frame(
            connection, "select_incident_exposures", {"as_of": as_of}, ["incident_id", "customer_id", "first_exposed_at"]
        )
        incidents = read_frame(connection, "select_incident_texts", {}, ["incident_id", "error_code", "message_pattern"])
        population = int(connection.execute(statement("select_customer_count")).scalar() or 0)
    links = pd.DataFrame(columns=list(LINK_FIELDS))
    if not tickets.empty and not exposures.empty:
        seen = len(set(tickets["customer_id"]) | set(exposures["customer_id"]))
        linker = PainPointLinker(window_hours=settings.link_window_hours).fit(
            tickets, exposures, population=max(population, seen), incidents=incidents, as_of=as_of
        )
        links = linker.links_
    with engine.begin() as connection:
        connection.execute(statement("delete_pain_point_incidents"))
        if not links.empty:
            rows = links[list(LINK_FIELDS)].astype(object).where(links[list(LINK_FIELDS)].notna(), None)
            connection.execute(
                statement("insert_pain_point_incident"),
                [{**record, "as_of": as_of} for record in rows.to_dict("records")],
            )
    log.info("links as of %s: %s", as_of, len(links))
    return len(links)
