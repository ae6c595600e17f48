"""Event aggregates computed in the warehouse (SQL), the input of every incident detector.

They are rebuilt from events before ``as_of`` so a backtest at any as-of sees no later event.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine

from sql import statement

log = logging.getLogger(__name__)

AGGREGATES = ("event_hourly", "version_activity_daily", "customer_signature_exposure")


def refresh_aggregates(engine: Engine, as_of: datetime) -> None:
    """Rebuild the hourly, daily-per-version and per-customer exposure aggregates up to ``as_of``."""
    dialect = engine.dialect.name
    with engine.begin() as connection:
        for name in AGGREGATES:
            connection.execute(statement(f"delete_{name}", dialect))
            connection.execute(statement(f"refresh_{name}", dialect), {"until": as_of})
    log.info("refreshed event aggregates up to %s", as_of)
