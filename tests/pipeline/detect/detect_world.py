"""The detection tests' shared world settings and readers of the finding tables."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from detectors.painpoints import OnnxMiniLmEmbedder, default_embedder
from pipeline.detect import DetectSettings, detect
from pipeline.ingest import ingest
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


def minilm_first_run(engine: Engine, world_dir: Path, caplog: pytest.LogCaptureFixture) -> DetectSettings:
    """Ingest the world and detect once as of SPIKE_AS_OF with the packaged MiniLM (skip without it);
    pain-point log lines from then on are captured, the first run's are cleared."""
    if not isinstance(default_embedder(), OnnxMiniLmEmbedder):
        pytest.skip("the packaged MiniLM is not installed: TF-IDF vectors and weights are refitted every run")
    settings = DetectSettings(embedder="auto")
    ingest(engine, str(world_dir))
    caplog.set_level(logging.INFO, logger="pipeline.detect.painpoints")
    detect(engine, SPIKE_AS_OF, settings)
    caplog.clear()
    return settings


def count_disagreements(engine: Engine) -> dict[str, tuple[int, int]]:
    """Active pain points whose ``ticket_count`` differs from their ``ticket_pain_points`` rows, pain points
    not active that still have rows there, and themes whose ``ticket_count`` or ``pain_point_count`` differs
    from the sum or count over their active pain points, or whose ``customer_count`` differs from the distinct
    customers of those pain points' tickets: (count shown, count behind it) by id. Empty when
    every ticket is in the window and the public tables agree."""
    with engine.connect() as connection:
        points = connection.execute(text(
            "SELECT p.pain_point_id, p.ticket_count, COUNT(t.ticket_id) FROM pain_points p "
            "LEFT JOIN ticket_pain_points t ON t.pain_point_id = p.pain_point_id "
            "WHERE p.status = 'active' GROUP BY p.pain_point_id, p.ticket_count")).all()
        by_theme = connection.execute(text(
            "SELECT th.theme_id, th.ticket_count, SUM(p.ticket_count), th.pain_point_count, COUNT(p.pain_point_id) "
            "FROM themes th JOIN pain_points p ON p.theme_id = th.theme_id AND p.status = 'active' "
            "WHERE th.status = 'active' GROUP BY th.theme_id, th.ticket_count, th.pain_point_count")).all()
        customers = connection.execute(text(
            "SELECT th.theme_id, th.customer_count, COUNT(DISTINCT t.customer_id) FROM themes th "
            "JOIN pain_points p ON p.theme_id = th.theme_id AND p.status = 'active' "
            "JOIN ticket_pain_points m ON m.pain_point_id = p.pain_point_id "
            "JOIN tickets t ON t.ticket_id = m.ticket_id "
            "WHERE th.status = 'active' GROUP BY th.theme_id, th.customer_count")).all()
        unlisted = connection.execute(text(
            "SELECT t.pain_point_id, COUNT(*) FROM ticket_pain_points t JOIN pain_points p USING (pain_point_id) "
            "WHERE p.status <> 'active' GROUP BY t.pain_point_id")).all()
    themes = [(theme, shown, summed) for theme, shown, summed, _, _ in by_theme]
    theme_sizes = [(f"{theme} pain points", shown, counted) for theme, _, _, shown, counted in by_theme]
    theme_customers = [(f"{theme} customers", shown, counted) for theme, shown, counted in customers]
    rows = [*points, *themes, *theme_sizes, *theme_customers, *((key, 0, n) for key, n in unlisted)]
    return {str(key): (int(a), int(b)) for key, a, b in rows if int(a) != int(b)}
