"""Fixtures for the mapping tests: a warehouse with the fixture customers already loaded."""

from __future__ import annotations

import pytest
from mapping_helpers import FIXTURES, LENIENT
from sqlalchemy import Engine

from pipeline.ingest import ingest


@pytest.fixture
def with_customers(warehouse: Engine) -> Engine:
    """The warehouse after loading the four fixture customers (u-1001..u-1004) natively."""
    ingest(warehouse, str(FIXTURES / "customers"), settings=LENIENT)
    return warehouse
