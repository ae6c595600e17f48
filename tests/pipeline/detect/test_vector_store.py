"""Text vectors in the warehouse: read back by digest, first writer wins, pruned with the window."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from detect_world import LAST_AS_OF, SPIKE_AS_OF, minilm_first_run
from sqlalchemy import Engine, text

from detectors.painpoints.stored_embedder import text_digest
from pipeline.detect import detect
from pipeline.detect.vector_store import WarehouseVectorStore

AS_OF = datetime(2026, 3, 10)


def _vectors(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {text_digest(f"ticket {seed}-{i}"): rng.normal(size=384).astype(np.float32) for i in range(n)}


def test_vectors_come_back_bit_for_bit_across_many_chunks(warehouse: Engine) -> None:
    store = WarehouseVectorStore(warehouse, AS_OF)
    saved = _vectors(2000, seed=1)  # more digests than one IN list holds
    store.save("model-a", saved)

    wanted = [*saved, text_digest("never stored")]
    loaded = store.load("model-a", wanted)

    assert set(loaded) == set(saved)
    for digest, vector in saved.items():
        np.testing.assert_array_equal(loaded[digest], vector)
    assert store.load("model-b", wanted) == {}


def test_a_vector_stored_twice_keeps_the_first(warehouse: Engine) -> None:
    store = WarehouseVectorStore(warehouse, AS_OF)
    digest = text_digest("card declined")
    store.save("model-a", {digest: np.ones(4, dtype=np.float32)})
    store.save("model-a", {digest: np.zeros(4, dtype=np.float32)})
    np.testing.assert_array_equal(store.load("model-a", [digest])[digest], np.ones(4, dtype=np.float32))


def test_prune_drops_only_vectors_stored_before_the_cut(warehouse: Engine) -> None:
    old, new = _vectors(3, seed=2), _vectors(2, seed=3)
    WarehouseVectorStore(warehouse, AS_OF - timedelta(days=100)).save("model-a", old)
    WarehouseVectorStore(warehouse, AS_OF).save("model-a", new)

    dropped = WarehouseVectorStore(warehouse, AS_OF).prune(AS_OF - timedelta(days=90))

    assert dropped == 3
    with warehouse.connect() as connection:
        left = {row[0] for row in connection.execute(text("SELECT text_sha256 FROM text_embeddings"))}
    assert left == set(new)


def _vector_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT embedder, count(*) FROM text_embeddings GROUP BY embedder"))
        return {name: int(count) for name, count in rows}


def _run_log(caplog: pytest.LogCaptureFixture) -> tuple[int, int, list[str]]:
    """(texts read back, texts embedded, refit messages) of the last detect run."""
    messages = [r.getMessage() for r in caplog.records]
    (line,) = [m for m in messages if m.startswith("text vectors:")]
    reused, embedded = (int(w) for w in line.replace(",", "").split() if w.isdigit())
    return reused, embedded, [m for m in messages if m.startswith("token weights refitted")]


def test_a_later_detect_run_embeds_only_tickets_new_since_the_last(
    sqlite_warehouse: Engine, world_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = minilm_first_run(sqlite_warehouse, world_dir, caplog)
    (name,) = _vector_counts(sqlite_warehouse)  # one model, one weight table
    stored_first = _vector_counts(sqlite_warehouse)[name]
    # two days later the queue has grown by far less than double: the token weights are kept
    detect(sqlite_warehouse, SPIKE_AS_OF + timedelta(days=2), settings)
    counts = _vector_counts(sqlite_warehouse)
    reused, embedded, refits = _run_log(caplog)

    assert list(counts) == [name] and not refits
    assert stored_first > 0
    assert embedded == counts[name] - stored_first > 0  # only texts new since the first run
    assert reused == stored_first  # every earlier ticket is still in the 90-day window


def test_token_weights_are_refitted_once_a_young_queue_doubled_and_a_rerun_refits_alike(
    sqlite_warehouse: Engine, world_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = minilm_first_run(sqlite_warehouse, world_dir, caplog)
    (first_name,) = _vector_counts(sqlite_warehouse)

    detect(sqlite_warehouse, LAST_AS_OF, settings)  # 11 days on, the window holds over twice the texts
    reused, embedded, refits = _run_log(caplog)
    counts = _vector_counts(sqlite_warehouse)
    (second_name,) = set(counts) - {first_name}
    assert len(refits) == 1 and "the queue grew from" in refits[0]
    assert reused == 0 and embedded == counts[second_name]  # vectors of the old table are not reused
    caplog.clear()

    # A rerun of the same as-of makes the same decision from the same state: the same table, so
    # every vector is read back and nothing is embedded.
    detect(sqlite_warehouse, LAST_AS_OF, settings)
    reused, embedded, refits = _run_log(caplog)
    assert len(refits) == 1 and embedded == 0 and reused == counts[second_name]
    assert _vector_counts(sqlite_warehouse) == counts
