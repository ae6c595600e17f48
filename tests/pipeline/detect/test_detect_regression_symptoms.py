"""A release regression found in a simulated world names the injected crash as its symptom and its customers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from detect_world import LAST_AS_OF, SETTINGS
from sqlalchemy import Engine, text

from pipeline.backtest.truth import read_truth
from pipeline.detect.aggregates import refresh_aggregates
from pipeline.detect.incidents import detect_incidents
from pipeline.ingest import ingest


@pytest.mark.parametrize("platform_spelling", ["as simulated", "capitalised"])
def test_regression_carries_the_injected_symptom_and_only_customers_who_hit_it(
    sqlite_warehouse: Engine, world_dir: Path, tmp_path: Path, platform_spelling: str
) -> None:
    [truth] = [i for i in read_truth(world_dir).incidents if i.kind == "release_regression"]
    source = world_dir if platform_spelling == "as simulated" else _capitalised_platforms(world_dir, tmp_path / "world")
    ingest(sqlite_warehouse, str(source))
    refresh_aggregates(sqlite_warehouse, LAST_AS_OF)
    detect_incidents(sqlite_warehouse, LAST_AS_OF, SETTINGS)

    with sqlite_warehouse.connect() as conn:
        [row] = conn.execute(text(
            "SELECT incident_id, error_code, feature, app_version, evidence FROM incidents WHERE kind = 'release_regression'"
        )).all()
        customers = {r[0] for r in conn.execute(
            text("SELECT customer_id FROM incident_customers WHERE incident_id = :i"), {"i": row.incident_id})}
    symptoms = json.loads(row.evidence)["symptom_signatures"]
    assert symptoms[0]["error_code"] == truth.error_code
    assert (row.error_code, row.feature, row.app_version) == (truth.error_code, truth.feature, truth.app_version)
    assert customers and customers <= set(truth.affected)


def _capitalised_platforms(world: Path, copy: Path) -> Path:
    """The world with its events' platforms as many SDKs write them ("Android", "IOS"): the release test keys
    platforms in lower case, and the symptom and audience lookups must still find the version's events."""
    shutil.copytree(world, copy)
    for path in copy.glob("events*.csv"):
        events = pd.read_csv(path, dtype=str, keep_default_na=False)
        events["platform"] = events["platform"].str.capitalize()
        events.to_csv(path, index=False)
    return copy
