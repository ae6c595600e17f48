"""The GX gate on typed chunks: failing rows by rule, duplicates, widths, and the gate settings."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, inspect

from pipeline.coercion import coerce_chunk
from pipeline.contract import CUSTOMERS, EVENTS, TABLES, TICKETS, TableSpec
from pipeline.validation import GateFailure, ValidationSettings, validate_chunk
from pipeline.validation.gate import MAX_LENGTHS


def failures(spec: TableSpec, rows: dict[str, list[str]], index: list[int] | None = None) -> dict[int, list[str]]:
    frame = pd.DataFrame(rows, dtype="str", index=index)
    return validate_chunk(coerce_chunk(frame, spec), spec).rules


def test_each_customer_rule_names_the_row_that_broke_it() -> None:
    rules = failures(CUSTOMERS, {
        "customer_id": ["C1", "", "C3", "C4", "C5", "C6", "C7", "C8"],
        "email": ["a@x.io", "b@x.io", "", "not-an-email", "e@x.io", "f@x.io", "g@x.io", "h@x.io"],
        "name": list("ABCDEFGH"),
        "mrr": ["1", "1", "1", "1", "-5", "1", "1", "1"],
        "email_opt_in": ["true", "true", "true", "true", "true", "perhaps", "true", "true"],
        "created_at": ["2026-01-01"] * 6 + ["2026-02-30", "2026-01-01"],
        "locale": ["en", "en", "en", "en", "en", "en", "en", "english please"],
    }, index=[10, 11, 12, 13, 14, 15, 16, 17])
    assert rules == {11: ["missing_id"], 12: ["missing_email"], 13: ["malformed_email"], 14: ["negative_mrr"],
                     15: ["invalid_boolean", "missing_opt_in"], 16: ["unparseable_timestamp", "missing_timestamp"],
                     17: ["malformed_locale"]}


def test_ticket_rules() -> None:
    rules = failures(TICKETS, {
        "ticket_id": ["T1", "T2", "T3", "T4"], "customer_id": ["C1", "", "C1", "C1"],
        "created_at": ["2026-01-01"] * 4, "subject": ["s"] * 4, "body": ["b", "b", "", "b"],
        "csat": ["", "5", "1", "6"],
    })
    assert rules == {1: ["missing_customer_id"], 2: ["missing_body"], 3: ["csat_out_of_range"]}


def test_only_later_occurrences_of_a_key_are_duplicates_even_when_spelled_with_spaces() -> None:
    rules = failures(EVENTS, {
        "event_id": ["E1", "E2", " E1", "E1 ", "E3"], "customer_id": ["C1"] * 5,
        "occurred_at": ["2026-01-01"] * 5, "name": ["error"] * 5,
    })
    assert rules == {2: ["duplicate_id"], 3: ["duplicate_id"]}


def test_values_wider_than_their_warehouse_column_are_quarantined() -> None:
    rules = failures(EVENTS, {
        "event_id": ["E1", "E" * 65, "E3", "E4"], "customer_id": ["C1"] * 4, "occurred_at": ["2026-01-01"] * 4,
        "name": ["error"] * 4, "platform": ["ios", "ios", "x" * 65, "x" * 64],
    })
    assert rules == {1: ["value_too_long"], 2: ["value_too_long"]}


def test_a_clean_chunk_has_no_failures_and_an_empty_one_is_fine() -> None:
    assert failures(EVENTS, {"event_id": ["E1"], "customer_id": ["C1"], "occurred_at": ["2026-01-01"],
                             "name": ["error"]}) == {}
    empty = coerce_chunk(pd.DataFrame({"event_id": []}, dtype="str"), EVENTS)
    assert validate_chunk(empty, EVENTS).rules == {}


@pytest.mark.integration
def test_widths_match_the_migrated_warehouse(sqlite_warehouse: Engine) -> None:
    inspector = inspect(sqlite_warehouse)
    for spec in TABLES:
        widths = {c["name"]: getattr(c["type"], "length", None) for c in inspector.get_columns(spec.name)}
        contract_widths = {name: widths[name] for name in spec.column_names if widths.get(name)}
        assert MAX_LENGTHS[spec.name] == contract_widths, spec.name


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOREWARN_MAX_BAD_ROW_SHARE", "0.05")
    monkeypatch.setenv("FOREWARN_FRESHNESS_HOURS", "6")
    monkeypatch.setenv("FOREWARN_GATE_MIN_ROWS", "10")
    assert ValidationSettings.from_env() == ValidationSettings(0.05, 6.0, 10)
    monkeypatch.setenv("FOREWARN_GATE_MIN_ROWS", "ten")
    with pytest.raises(GateFailure, match="must be numbers"):
        ValidationSettings.from_env()


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FOREWARN_MAX_BAD_ROW_SHARE", "FOREWARN_FRESHNESS_HOURS", "FOREWARN_GATE_MIN_ROWS"):
        monkeypatch.delenv(name, raising=False)
    assert ValidationSettings.from_env() == ValidationSettings()
