"""A small simulated world (with all three kinds of incident) shared by the detection tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from detect_world import WORLD

from pipeline.simulate import simulate_world


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("detect-world") / "world"
    simulate_world(WORLD, out)
    return out
