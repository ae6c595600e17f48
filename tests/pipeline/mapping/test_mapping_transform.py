"""Field rules on tiny inline records: JSON paths, value maps, timestamps with formats and time zones."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest
from mapping_helpers import FIXTURES

from pipeline.mapping import load_mapping, read_mapped
from pipeline.mapping.model import FieldRule, Where
from pipeline.mapping.paths import MISSING, as_text, extract
from pipeline.mapping.transform import _apply_map, _apply_time

HERE = Where("m.yaml", 1, 1)


def test_json_paths() -> None:
    record = {"a": {"b": [{"c": 1}, {"c": 2.5}, {"d": None}]}, "t": ["x", "y"], "flag": True}
    assert extract(record, "a.b[0].c") == 1
    assert as_text(extract(record, "a.b[*].c")) == "1;2.5"
    assert extract(record, "a.b[5].c") is MISSING and extract(record, "nope") is MISSING
    assert as_text(extract(record, "t")) == "x;y" and as_text(extract(record, "flag")) == "true"
    assert as_text(extract(record, "a.b[2].d")) == ""


def times(values: list[str], **settings: str) -> tuple[list[str], dict]:
    rejected: dict = {}
    out = _apply_time(pd.Series(values, dtype="str"), FieldRule("occurred_at", HERE, path="t", **settings), rejected)
    return out.tolist(), rejected


def test_values_with_and_without_offsets_mix_in_one_column() -> None:
    out, rejected = times(["2026-01-05T10:00:00+01:00", "2026-01-05 10:00:00", "2026-07-05T10:00:00Z", ""],
                          timezone="Europe/Berlin")
    assert out == ["2026-01-05T09:00:00.000000Z", "2026-01-05T09:00:00.000000Z", "2026-07-05T10:00:00.000000Z", ""]
    assert rejected == {}


def test_epoch_seconds_and_milliseconds() -> None:
    assert times(["1767604500.25"], time_format="unix")[0] == ["2026-01-05T09:15:00.250000Z"]
    assert times(["1767604500250"], time_format="unix_ms")[0] == ["2026-01-05T09:15:00.250000Z"]


def test_a_local_time_that_does_not_exist_is_rejected_with_the_reason() -> None:
    # 02:30 on the night clocks spring forward in Berlin never happened.
    out, rejected = times(["2026-03-29 02:30:00"], time_format="%Y-%m-%d %H:%M:%S", timezone="Europe/Berlin")
    assert rejected[0][0][0] == "unparseable_timestamp" and "no valid local time in Europe/Berlin" in rejected[0][0][1]
    assert out == ["2026-03-29 02:30:00"]  # kept as read: the quarantine shows what was there


def test_a_local_time_the_clocks_pass_twice_is_read_as_its_first_passing() -> None:
    # 02:30 on the night clocks go back in Berlin happened twice (CEST, then CET): every event of that
    # hour was quarantined each October.
    out, rejected = times(["2025-10-26 02:30:00", "2025-10-26 03:30:00"], time_format="%Y-%m-%d %H:%M:%S",
                          timezone="Europe/Berlin")
    assert rejected == {}
    assert out == ["2025-10-26T00:30:00.000000Z", "2025-10-26T02:30:00.000000Z"]


@pytest.mark.parametrize(("unmapped", "expected"), [("keep", ["open", "Archived", ""]), ("null", ["open", "", ""])])
def test_unmapped_values_kept_or_emptied(unmapped: str, expected: list[str]) -> None:
    rule = FieldRule("status", HERE, path="state", value_map=(("OPEN", "open"),), unmapped=unmapped)
    rejected: dict = {}
    out = _apply_map(pd.Series([" Open ", "Archived", ""], dtype="str"), rule, rejected)
    assert out.tolist() == expected and rejected == {}


def test_gzipped_json_lines_read_as_they_come_from_the_export(tmp_path: Path) -> None:
    source = tmp_path / "amplitude"
    source.mkdir()
    plain = FIXTURES / "amplitude" / "123456_2026-01-05_9#0.json"
    with plain.open("rb") as handle, gzip.open(source / "123456_2026-01-05_9#0.json.gz", "wb") as packed:
        shutil.copyfileobj(handle, packed)
    table = load_mapping("amplitude-export").table("events")
    [mapped] = list(read_mapped(str(source), table, 100))
    assert mapped.chunk.frame["event_id"].tolist()[0] == "0b9a3f0e-6d1c-11f0-9f00-000000000001"
    assert mapped.chunk.frame["_row_number"].tolist() == [1, 2, 3, 4]
