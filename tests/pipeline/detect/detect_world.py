"""The detection tests' shared world settings and readers of the finding tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, text

from pipeline.detect import DetectSettings
from pipeline.simulate import WorldSettings

# The backtest's world: a spike on 2026-03-14, a new signature on 03-16, an iOS regression on 03-20.
# A run as of 03-15 sees the spike (within its 48 h lookback), one as of 03-26 the other two.
WORLD = WorldSettings(customers=800, days=24, seed=2, start=date(2026, 3, 2))
SPIKE_AS_OF = datetime(2026, 3, 15)
LAST_AS_OF = datetime(2026, 3, 26)
SETTINGS = DetectSettings(embedder="tfidf")  # MiniLM would make these tests slow, not different

# Every finding table of the SPEC, each in a stable order.
FINDING_QUERIES = {
    "pain_points": "SELECT * FROM pain_points ORDER BY pain_point_id",
    "ticket_pain_points": "SELECT * FROM ticket_pain_points ORDER BY ticket_id",
    "incidents": "SELECT * FROM incidents ORDER BY incident_id",
    "incident_customers": "SELECT * FROM incident_customers ORDER BY incident_id, customer_id",
    "pain_point_incidents": "SELECT * FROM pain_point_incidents ORDER BY pain_point_id, incident_id",
}


def findings(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every finding table."""
    with engine.connect() as connection:
        return {table: [tuple(row) for row in connection.execute(text(sql))] for table, sql in FINDING_QUERIES.items()}
