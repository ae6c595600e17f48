"""Detection reruns: the same as-of gives the same ids and identical rows, whatever ran before."""

from __future__ import annotations

from pathlib import Path

from detect_world import LAST_AS_OF, SETTINGS, SPIKE_AS_OF, findings
from sqlalchemy import Engine

from pipeline.detect import detect
from pipeline.ingest import ingest


def test_rerun_for_the_same_as_of_keeps_ids_and_rows(warehouse: Engine, world_dir: Path) -> None:
    ingest(warehouse, str(world_dir))
    detect(warehouse, SPIKE_AS_OF, SETTINGS)
    first = detect(warehouse, LAST_AS_OF, SETTINGS)
    before = findings(warehouse)

    again = detect(warehouse, LAST_AS_OF, SETTINGS)

    assert findings(warehouse) == before
    assert again.as_dict() == first.as_dict()
    # The rows compared are real findings, not empty tables that would match trivially.
    assert {row[1] for row in before["incidents"]} == {"spike", "new_signature", "release_regression"}
    assert before["incident_customers"]
    assert before["pain_points"] and before["ticket_pain_points"] and before["pain_point_incidents"]

