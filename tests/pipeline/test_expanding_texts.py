"""An empty list in ``IN :name`` over a text column runs on both warehouses.

SQLAlchemy renders an empty expanding list as a sub-select of one NULL; untyped, that NULL is cast to
INTEGER, and PostgreSQL refuses to compare it with a text column ("operator does not exist: character
varying = integer"). A detect run on PostgreSQL that judged a release while no other incident explained
any errors failed that way (``signature_id NOT IN :excluded`` with nothing excluded); SQLite compares
anything with anything and never showed it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from pipeline.report.queries.common import fetch
from pipeline.warehouse.frames import read_frame


def test_a_release_judged_with_nothing_excluded_reads_its_signature_errors(warehouse: Engine) -> None:
    params = {"as_of": datetime(2026, 1, 8, 16), "errors_since": datetime(2026, 1, 1), "excluded": [],
              "platforms": ["ios"]}
    columns = ["day", "platform", "app_version", "signature_id", "erroring_customers"]
    with warehouse.connect() as connection:
        frame = read_frame(connection, "select_version_signature_errors", params, columns,
                           expanding=["excluded", "platforms"])
        nothing = read_frame(connection, "select_version_signature_errors", params | {"platforms": []}, columns,
                             expanding=["excluded", "platforms"])
    assert list(frame.columns) == columns and frame.empty and nothing.empty


def test_a_report_query_over_no_ids_is_empty(warehouse: Engine) -> None:
    with warehouse.connect() as connection:
        assert fetch(connection, "report_select_pain_point_customers", pain_point_ids=[]) == []
