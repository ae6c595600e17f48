"""Small simulated worlds shared by the simulator's tests (a few seconds to build all of them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from simworld import SETTINGS, World

from pipeline.simulate import WorldSettings, WorldSummary, simulate_world


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "world"
    simulate_world(SETTINGS, out)
    return out


@pytest.fixture(scope="session")
def world(world_dir: Path) -> World:
    return World.load(world_dir)


@pytest.fixture(scope="session")
def clean_world_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, WorldSummary]:
    out = tmp_path_factory.mktemp("sim-clean") / "world"
    summary = simulate_world(WorldSettings(**{**SETTINGS.__dict__, "dirty": False}), out)
    return out, summary


@pytest.fixture(scope="session")
def dirt_world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough tickets (few events) that every kind of dirt fits in under 2% of each file."""
    out = tmp_path_factory.mktemp("sim-dirt") / "world"
    simulate_world(WorldSettings(customers=1500, days=21, seed=5, events_per_customer_day=0.5), out)
    return out
