"""Shared fixtures: a fresh warehouse on SQLite, and on PostgreSQL when CI provides one."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from pipeline.warehouse import make_engine, migrate

REPO_ROOT = Path(__file__).resolve().parents[1]

# Airflow reads its configuration once, at first import: point it at the project's airflow.cfg and a
# throw-away home before any test module imports it, so tests never touch a developer's Airflow state.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="forewarn-test-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW_CONFIG"] = str(REPO_ROOT / "airflow.cfg")
os.environ["FOREWARN_REPO"] = str(REPO_ROOT)
os.environ.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", uuid.uuid4().hex + uuid.uuid4().hex)
os.environ.pop("AIRFLOW_CONN_FOREWARN_WAREHOUSE", None)
POSTGRES_URL = os.environ.get("FOREWARN_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("FOREWARN_TEST_REDIS_URL")


def shared_data_dir() -> Path:
    """The real public data folder (``FOREWARN_SHARED_DATA`` or ``../shared/data`` beside the repo)."""
    return Path(os.environ.get("FOREWARN_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"real data not found at {path}: set FOREWARN_SHARED_DATA to the shared/data folder")
    return path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No test may touch the developer's own warehouse or outbox.
    monkeypatch.setenv("FOREWARN_HOME", str(tmp_path / "forewarn-home"))
    monkeypatch.delenv("FOREWARN_DATABASE_URL", raising=False)
    monkeypatch.delenv("FOREWARN_KILL_SWITCH", raising=False)


def _sqlite_warehouse(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@contextlib.contextmanager
def _postgres_schema() -> Iterator[tuple[Engine, Engine]]:
    """(engine on a new, empty schema; admin engine), the schema dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need FOREWARN_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    schema = f"fw_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # name is generated above, not user input
    engine = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine, admin
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _postgres_warehouse() -> Iterator[Engine]:
    with _postgres_schema() as (engine, _):
        migrate(engine)
        yield engine


@pytest.fixture
def empty_postgres_schema() -> Iterator[tuple[Engine, Engine]]:
    """An engine on a new PostgreSQL schema nothing has migrated yet, and an admin engine on the database."""
    with _postgres_schema() as engines:
        yield engines


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty warehouse; runs each test on SQLite and (when configured) PostgreSQL."""
    if request.param == "sqlite":
        yield from _sqlite_warehouse(tmp_path)
    else:
        yield from _postgres_warehouse()


@pytest.fixture
def sqlite_warehouse(tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty SQLite warehouse, for tests that need only the embedded default."""
    yield from _sqlite_warehouse(tmp_path)


@pytest.fixture
def loaded_fortnight(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A fresh SQLite warehouse (``FOREWARN_DATABASE_URL`` set to it) holding a clean simulated 14-day world,
    seed 3, 400 customers: its search spike is on days 10-11, so a run at the end looking back only 48 h
    misses it. Nothing has been detected yet."""
    from pipeline.ingest import ingest
    from pipeline.simulate import WorldSettings, simulate_world

    world = tmp_path / "world"
    simulate_world(WorldSettings(customers=400, days=14, seed=3, dirty=False), world)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = make_engine(url)
    migrate(engine)
    ingest(engine, str(world))
    monkeypatch.setenv("FOREWARN_DATABASE_URL", url)
    return engine


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules holding slow tests run first.

    `make test` hands out whole modules (`--dist loadfile`, collection order kept with
    `--no-loadscope-reorder`). pytest-xdist's default order, most tests first, left the one-test
    modules of several minutes (a replay of three worlds, 255 s) to the end, where one worker ran
    them alone while the other idled. The sort is stable, so each group keeps its order.
    """
    slow = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow)
