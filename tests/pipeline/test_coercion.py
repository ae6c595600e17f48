"""Coercion of text chunks into typed columns: what parses, what becomes missing, what is flagged."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from pipeline.coercion import PARSED_SUFFIX, coerce_chunk, parse_booleans, parse_timestamps
from pipeline.contract import CUSTOMERS, EVENTS, TICKETS
from pipeline.validation import validate_chunk


def text(values: list[str]) -> pd.Series:
    return pd.Series(values, dtype="str")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-05T10:22:33Z", datetime(2026, 1, 5, 10, 22, 33)),
        ("2026-01-05T10:22:33", datetime(2026, 1, 5, 10, 22, 33)),  # no offset: UTC
        ("2026-01-05T12:22:33+02:00", datetime(2026, 1, 5, 10, 22, 33)),
        ("2026-01-05 10:22:33.250", datetime(2026, 1, 5, 10, 22, 33, 250000)),
        ("2026-01-05", datetime(2026, 1, 5)),
    ],
)
def test_iso_timestamps_become_naive_utc(value: str, expected: datetime) -> None:
    assert parse_timestamps(text([value])).iloc[0] == expected


def test_mixed_timestamp_styles_in_one_chunk_all_parse() -> None:
    parsed = parse_timestamps(text(["2026-01-05T10:22:33Z", "2026-01-06 08:00:00", "2026-01-07", "2026-01-08T01:02:03+01:00"]))
    assert parsed.tolist() == [datetime(2026, 1, 5, 10, 22, 33), datetime(2026, 1, 6, 8), datetime(2026, 1, 7),
                               datetime(2026, 1, 8, 0, 2, 3)]
    assert str(parsed.dtype) == "datetime64[us]"


def test_impossible_timestamps_become_missing() -> None:
    parsed = parse_timestamps(text(["2026-02-30T10:15:00Z", "2026-13-05T08:00:00Z", "soon", "", "2026-01-15T24:61:00Z"]))
    assert parsed.isna().all()


def test_boolean_words() -> None:
    parsed = parse_booleans(text(["true", " YES ", "1", "off", "F", "maybe", ""]))
    assert parsed.tolist() == [True, True, True, False, False, pd.NA, pd.NA]


def test_typed_columns_remember_which_non_empty_values_failed_to_parse() -> None:
    frame = pd.DataFrame({
        "customer_id": [" C1 ", "C2", "  "], "email": ["a@x.io", "b@x.io", "c@x.io"], "name": ["A", "", "C"],
        "mrr": ["12.50", "lots", ""], "email_opt_in": ["true", "sometimes", ""],
        "created_at": ["2026-01-01T00:00:00Z", "yesterday", " "],
    }, dtype="str")
    typed = coerce_chunk(frame, CUSTOMERS)
    assert typed["customer_id"].tolist()[:2] == ["C1", "C2"] and pd.isna(typed["customer_id"].iloc[2])
    assert pd.isna(typed["name"].iloc[1]), "empty text is missing"
    assert typed["mrr"].iloc[0] == 12.5 and typed["mrr"].iloc[1:].isna().all()
    assert typed["mrr" + PARSED_SUFFIX].tolist() == [True, False, True], "empty is not a parse failure"
    assert typed["email_opt_in" + PARSED_SUFFIX].tolist() == [True, False, True]
    assert typed["created_at" + PARSED_SUFFIX].tolist() == [True, False, True]
    assert pd.isna(typed["locale"]).all() and pd.isna(typed["plan"]).all(), "absent optional columns are missing"


def test_csat_must_be_a_whole_number() -> None:
    frame = pd.DataFrame({"ticket_id": ["T1", "T2", "T3", "T4"], "csat": ["4", "3.0", "3.5", "inf"]}, dtype="str")
    typed = coerce_chunk(frame, TICKETS)
    assert typed["csat"].tolist()[:2] == [4.0, 3.0] and typed["csat"].iloc[2:].isna().all()
    assert typed["csat" + PARSED_SUFFIX].tolist() == [True, True, False, False]


def test_extra_columns_and_text_values_are_kept_as_read() -> None:
    frame = pd.DataFrame({"event_id": ["E1"], "customer_id": ["C1"], "occurred_at": ["2026-01-01"],
                          "name": ["  error "], "message": ["  padded  "], "shard": ["7"]}, dtype="str")
    typed = coerce_chunk(frame, EVENTS)
    assert typed["message"].iloc[0] == "  padded  " and typed["name"].iloc[0] == "  error "
    assert typed["shard"].iloc[0] == "7"
    assert typed.index.equals(frame.index)


def test_only_iso_8601_timestamps_are_read_and_other_styles_are_unparseable() -> None:
    """A dd/mm export used to load with day and month swapped wherever the day was 12 or less (pandas'
    "mixed" reading guessed month first for 01/03 and day first for 25/03 in one file). The contract's
    timestamps are ISO 8601; anything else is quarantined as unparseable (a mapping's ``format`` reads it)."""
    values = pd.Series(["01/03/2026 10:20", "25/03/2026 10:20", "March 1 2026 10am", "2026-03-01",
                        "2026-03-01 10:00:00+01:00", "2026-03-01T10:00:00Z"], dtype="str")
    parsed = parse_timestamps(values)
    assert parsed.iloc[:3].isna().all()
    assert [str(t) for t in parsed.iloc[3:]] == ["2026-03-01 00:00:00", "2026-03-01 09:00:00", "2026-03-01 10:00:00"]


def test_an_email_address_is_trimmed_like_an_id_so_a_padded_one_is_valid() -> None:
    frame = pd.DataFrame({"customer_id": [" C1 "], "email": [" Ann@Example.COM "], "name": ["  Ann "],
                          "email_opt_in": ["true"], "created_at": ["2026-01-01"]}, dtype="str")
    typed = coerce_chunk(frame, CUSTOMERS)
    assert typed["customer_id"].iloc[0] == "C1" and typed["email"].iloc[0] == "Ann@Example.COM"
    assert typed["name"].iloc[0] == "  Ann "  # other text is kept as read
    assert validate_chunk(typed, CUSTOMERS).rules == {}
