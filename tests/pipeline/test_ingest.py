"""Ingest end to end on a real warehouse (SQLite, and PostgreSQL when configured): counts, idempotency,
intervals, quarantine of every dirty row, table-level gate, sources that load alike, extra columns, logs."""

from __future__ import annotations

import csv
import json
import logging
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, create_engine, text

from pipeline.contract import CUSTOMERS, EVENTS, TICKETS
from pipeline.ingest import Interval, ingest, ingest_summary
from pipeline.simulate import WorldSettings, simulate_world
from pipeline.sources import SourceError
from pipeline.validation import GateFailure, ValidationSettings

pytestmark = pytest.mark.integration

CUSTOMER_HEADER = ["customer_id", "email", "name", "locale", "plan", "mrr", "email_opt_in", "created_at"]
TICKET_HEADER = ["ticket_id", "customer_id", "created_at", "subject", "body", "channel", "status", "tags", "csat"]
EVENT_HEADER = ["event_id", "customer_id", "occurred_at", "name", "feature", "app_version", "platform", "error_code",
                "message"]
SETTINGS = ValidationSettings(max_bad_row_share=0.2, min_rows_for_share=50)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def customer(i: int, **changes: object) -> list[object]:
    row = {"customer_id": f"C{i:03d}", "email": f"person{i}@example.com", "name": f"Person {i}", "locale": "en",
           "plan": "pro", "mrr": "10.5", "email_opt_in": "true", "created_at": "2025-12-01T08:00:00Z", **changes}
    return [row[name] for name in CUSTOMER_HEADER]


def ticket(i: int, day: int = 1, **changes: object) -> list[object]:
    row = {"ticket_id": f"T{i:03d}", "customer_id": f"C{i % 5:03d}", "created_at": f"2026-01-{day:02d}T10:{i % 60:02d}:00Z",
           "subject": f"Export fails {i}", "body": f"My export fails since yesterday, ticket {i}.",
           "channel": "email", "status": "open", "tags": "export;csv", "csat": "", **changes}
    return [row[name] for name in TICKET_HEADER]


def event(i: int, day: int = 1, **changes: object) -> list[object]:
    row = {"event_id": f"E{i:05d}", "customer_id": f"C{i % 5:03d}",
           "occurred_at": f"2026-01-{day:02d}T{i % 24:02d}:{i % 60:02d}:07.250Z",
           "name": "error" if i % 3 == 0 else "session_start", "feature": "export" if i % 3 == 0 else "",
           "app_version": "5.1.0", "platform": "ios", "error_code": "E-EXPORT" if i % 3 == 0 else "",
           "message": f"export failed for job {i}" if i % 3 == 0 else "", **changes}
    return [row[name] for name in EVENT_HEADER]


def small_source(folder: Path, days: tuple[int, ...] = (1, 2, 3)) -> Path:
    """5 customers, 4 tickets and 10 events a day, plus one bad row in each table."""
    write_csv(folder / "customers.csv", CUSTOMER_HEADER, [customer(i) for i in range(5)] + [customer(9, email="nope")])
    write_csv(folder / "tickets.csv", TICKET_HEADER,
              [ticket(d * 10 + i, d) for d in days for i in range(4)] + [ticket(99, 1, body="")])
    write_csv(folder / "events.csv", EVENT_HEADER,
              [event(d * 100 + i, d) for d in days for i in range(10)] + [event(999, 1, customer_id=" ")])
    return folder


def rows(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql)).all()]


def count(engine: Engine, table: str) -> int:
    return rows(engine, f"SELECT count(*) FROM {table}")[0][0]  # table names are the test's own constants


def test_counts_add_up_and_every_row_lands_somewhere(warehouse: Engine, tmp_path: Path) -> None:
    source = small_source(tmp_path / "src")
    report = ingest(warehouse, str(source), settings=SETTINGS)
    summary = ingest_summary(report)
    assert summary["customers"] == {"read": 6, "outside_interval": 0, "loaded": 5, "unchanged": 0, "quarantined": 1, "late_loaded": 0, "consent_withdrawn": 0}
    assert summary["tickets"] == {"read": 13, "outside_interval": 0, "loaded": 12, "unchanged": 0, "quarantined": 1, "late_loaded": 0, "consent_withdrawn": 0}
    assert summary["events"] == {"read": 31, "outside_interval": 0, "loaded": 30, "unchanged": 0, "quarantined": 1, "late_loaded": 0, "consent_withdrawn": 0}
    assert all(load.adds_up() for load in report.tables)
    for table in ("customers", "tickets", "events"):
        assert count(warehouse, table) == summary[table]["loaded"]
    assert rows(warehouse, "SELECT table_name, rule FROM quarantine ORDER BY table_name") == [
        ("customers", "malformed_email"), ("events", "missing_customer_id"), ("tickets", "missing_body")]
    runs = rows(warehouse, "SELECT table_name, rows_read, rows_loaded, rows_quarantined FROM ingest_runs ORDER BY 1")
    assert runs == [("customers", 6, 5, 1), ("events", 31, 30, 1), ("tickets", 13, 12, 1)]


def test_loading_the_same_interval_twice_changes_nothing(warehouse: Engine, tmp_path: Path) -> None:
    source = small_source(tmp_path / "src")
    interval = Interval(datetime(2026, 1, 1), datetime(2026, 1, 3))
    first = ingest_summary(ingest(warehouse, str(source), interval, settings=SETTINGS))
    snapshot = {t: rows(warehouse, f"SELECT * FROM {t} ORDER BY 1") for t in ("customers", "tickets", "events",
                                                                                "signatures", "quarantine")}
    second = ingest_summary(ingest(warehouse, str(source), interval, settings=SETTINGS))
    for table, counts in first.items():
        assert second[table]["loaded"] == 0
        assert second[table]["unchanged"] == counts["loaded"] + counts["unchanged"]
        assert second[table]["quarantined"] == counts["quarantined"]
    for table, before in snapshot.items():
        assert rows(warehouse, f"SELECT * FROM {table} ORDER BY 1") == before, f"{table} changed on rerun"


def test_overlapping_interval_adds_only_what_is_new(warehouse: Engine, tmp_path: Path) -> None:
    source = small_source(tmp_path / "src")
    day_one = ingest_summary(ingest(warehouse, str(source), Interval(datetime(2026, 1, 1), datetime(2026, 1, 2)),
                                    settings=SETTINGS))
    assert day_one["events"]["loaded"] == 10 and day_one["events"]["outside_interval"] == 20
    loaded_at_day_one = rows(warehouse, "SELECT event_id, loaded_at FROM events ORDER BY 1")
    both = ingest_summary(ingest(warehouse, str(source), Interval(datetime(2026, 1, 1), datetime(2026, 1, 3)),
                                 settings=SETTINGS))
    assert both["events"] == {"read": 31, "outside_interval": 10, "loaded": 10, "unchanged": 10, "quarantined": 1, "late_loaded": 0, "consent_withdrawn": 0}
    assert both["tickets"]["loaded"] == 4 and both["tickets"]["unchanged"] == 4
    assert count(warehouse, "events") == 20
    kept = dict(rows(warehouse, "SELECT event_id, loaded_at FROM events"))
    assert all(kept[event_id] == loaded_at for event_id, loaded_at in loaded_at_day_one)


def test_interval_is_half_open_and_rows_without_time_are_quarantined_not_skipped(
    warehouse: Engine, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    write_csv(source / "events.csv", EVENT_HEADER, [
        event(1, occurred_at="2026-01-02T00:00:00Z"),   # == start: inside
        event(2, occurred_at="2026-01-03T00:00:00Z"),   # == end: outside
        event(3, occurred_at="2026-01-02T23:59:59+02:00"),  # 21:59:59 UTC: inside
        event(4, occurred_at=""),
        event(5, occurred_at="soon"),
    ])
    load = ingest(warehouse, str(source), Interval(datetime(2026, 1, 2), datetime(2026, 1, 3)),
                  settings=SETTINGS, tables=(EVENTS,)).tables[0]
    assert (load.loaded, load.outside_interval, load.quarantined) == (2, 1, 2)
    assert rows(warehouse, "SELECT event_id FROM events ORDER BY 1") == [("E00001",), ("E00003",)]
    assert dict(load.by_rule) == {"missing_timestamp": 1, "unparseable_timestamp": 1}
    assert rows(warehouse, "SELECT occurred_at FROM events WHERE event_id = 'E00003'") == [(datetime(2026, 1, 2, 21, 59, 59),)]


def test_a_changed_ticket_status_is_an_update(warehouse: Engine, tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_csv(source / "tickets.csv", TICKET_HEADER, [ticket(i) for i in range(3)])
    ingest(warehouse, str(source), settings=SETTINGS, tables=(TICKETS,))
    before = dict(rows(warehouse, "SELECT ticket_id, loaded_at FROM tickets"))
    write_csv(source / "tickets.csv", TICKET_HEADER,
              [ticket(0), ticket(1, status=" Solved ", csat="5"), ticket(2)])
    load = ingest(warehouse, str(source), settings=SETTINGS, tables=(TICKETS,)).tables[0]
    assert (load.loaded, load.unchanged) == (1, 2)
    assert rows(warehouse, "SELECT status, csat FROM tickets WHERE ticket_id = 'T001'") == [("solved", 5)]
    after = dict(rows(warehouse, "SELECT ticket_id, loaded_at FROM tickets"))
    assert after["T000"] == before["T000"] and after["T002"] == before["T002"]
    assert after["T001"] >= before["T001"]
    assert count(warehouse, "tickets") == 3


def test_duplicates_across_chunks_and_files_are_quarantined(warehouse: Engine, tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_csv(source / "events.csv", EVENT_HEADER, [event(i) for i in range(7)] + [event(2)])
    write_csv(source / "events-2.csv", EVENT_HEADER, [event(3, name="crash"), event(20)])
    load = ingest(warehouse, str(source), settings=SETTINGS, tables=(EVENTS,), chunk_rows=3).tables[0]
    assert (load.rows_read, load.loaded, load.quarantined) == (10, 8, 2)
    quarantined = rows(warehouse, "SELECT source, row_number, rule FROM quarantine ORDER BY source")
    assert [(Path(s).name, n, r) for s, n, r in quarantined] == [
        ("events-2.csv", 1, "duplicate_id"), ("events.csv", 8, "duplicate_id")]
    # The first occurrence is the one kept.
    assert rows(warehouse, "SELECT name FROM events WHERE event_id = 'E00003'") == [("error",)]


@pytest.fixture(scope="module")
def dirty_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dirty") / "world"
    simulate_world(WorldSettings(customers=1500, days=21, seed=5, events_per_customer_day=0.5), out)
    return out


def test_every_dirty_row_of_a_simulated_world_is_quarantined_and_no_clean_row_is(
    warehouse: Engine, dirty_world: Path
) -> None:
    report = ingest(warehouse, str(dirty_world), settings=SETTINGS)
    truth = pd.read_csv(dirty_world / "truth" / "dirty_rows.csv", dtype=str, keep_default_na=False)
    assert {"customers", "tickets", "events"} == {f.split(".")[0].split("-")[0] for f in truth.file}
    filed = pd.DataFrame(rows(warehouse, "SELECT source, row_number, rule, raw FROM quarantine"),
                         columns=["source", "row_number", "rule", "raw"])
    filed["file"] = filed.source.map(lambda s: Path(s).name)
    assert filed.source.map(lambda s: Path(s).parent == dirty_world).all()
    got = set(zip(filed.file, filed.row_number.astype(int), filed.rule, strict=True))
    expected = set(zip(truth.file, truth.row_number.astype(int), truth.problem, strict=True))
    assert got == expected
    assert sum(load.quarantined for load in report.tables) == len(truth)
    records = {}
    for name in set(truth.file):
        with (dirty_world / name).open(newline="", encoding="utf-8") as handle:
            records[name] = list(csv.reader(handle))
    for row in truth.itertuples():
        raw = json.loads(filed.loc[(filed.file == row.file) & (filed.row_number == int(row.row_number)), "raw"].iat[0])
        header, record = records[row.file][0], records[row.file][int(row.row_number)]
        assert raw == dict(zip(header, record, strict=True)), "raw is the row exactly as read"
    manifest = json.loads((dirty_world / "truth" / "manifest.json").read_text())
    for load in report.tables:
        files = [name for name in manifest["files"] if name.split(".")[0].split("-")[0] == load.table]
        assert load.rows_read == sum(manifest["files"][name] for name in files)
        assert count(warehouse, load.table) == load.loaded == load.rows_read - load.quarantined


def test_too_many_bad_rows_stop_the_table_and_leave_nothing_half_written(warehouse: Engine, tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_csv(source / "customers.csv", CUSTOMER_HEADER, [customer(i) for i in range(3)])
    good = [event(i) for i in range(60)]
    bad = [event(1000 + i, occurred_at="not a time") for i in range(40)]
    write_csv(source / "events.csv", EVENT_HEADER, good[:30] + bad + good[30:])
    with pytest.raises(GateFailure) as failure:
        ingest(warehouse, str(source), settings=SETTINGS, chunk_rows=25)
    message = str(failure.value)
    assert "events" in message and "40%" in message and "unparseable_timestamp 40" in message
    assert "FOREWARN_MAX_BAD_ROW_SHARE" in message and "nothing was loaded" in message
    assert count(warehouse, "events") == 0 and count(warehouse, "signatures") == 0
    assert rows(warehouse, "SELECT count(*) FROM quarantine WHERE table_name = 'events'") == [(0,)]
    assert rows(warehouse, "SELECT table_name FROM ingest_runs ORDER BY 1") == [("customers",), ("tickets",)]
    assert count(warehouse, "customers") == 3, "tables loaded before the failing one stay loaded"


def test_hourly_loads_file_untimed_rows_once_and_do_not_fail_on_them(warehouse: Engine, tmp_path: Path) -> None:
    """A day's file with 40 unreadable times would fail every hour's gate if each hour counted them."""
    source = tmp_path / "src"
    write_csv(source / "customers.csv", CUSTOMER_HEADER, [customer(i) for i in range(5)])
    good = [event(i, occurred_at=f"2026-01-01T{i % 3:02d}:{i % 60:02d}:00Z") for i in range(60)]
    bad = [event(1000 + i, occurred_at="not a time") for i in range(40)]
    write_csv(source / "events.csv", EVENT_HEADER, good + bad)
    hourly = ValidationSettings(max_bad_row_share=0.2, min_rows_for_share=10)

    loads = [
        ingest(warehouse, str(source), Interval(datetime(2026, 1, 1, h), datetime(2026, 1, 1, h + 1)),
               settings=hourly, tables=(EVENTS,)).tables[0]
        for h in range(3)
    ]

    assert [load.loaded for load in loads] == [20, 20, 20]
    assert rows(warehouse, "SELECT count(*) FROM quarantine WHERE rule = 'unparseable_timestamp'") == [(40,)]
    with pytest.raises(GateFailure):  # the whole file at once still counts them
        ingest(warehouse, str(source), settings=hourly, tables=(EVENTS,))


def test_a_missing_required_column_is_a_clear_error_and_rolls_the_table_back(
    warehouse: Engine, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    write_csv(source / "events.csv", EVENT_HEADER, [event(i) for i in range(5)])
    header = [name for name in EVENT_HEADER if name != "occurred_at"]
    write_csv(source / "events-2.csv", header, [[v for k, v in zip(EVENT_HEADER, event(50 + i), strict=True)
                                                  if k != "occurred_at"] for i in range(3)])
    with pytest.raises(SourceError) as failure:
        ingest(warehouse, str(source), settings=SETTINGS, tables=(EVENTS,))
    assert "events-2.csv" in str(failure.value) and "occurred_at" in str(failure.value)
    assert count(warehouse, "events") == 0, "the first file's rows are rolled back with the table"
    assert count(warehouse, "ingest_runs") == 0


def _world_for_formats(folder: Path) -> Path:
    write_csv(folder / "customers.csv", CUSTOMER_HEADER + ["segment"],
              [customer(i) + ["smb" if i % 2 else ""] for i in range(6)] + [customer(7, mrr="-3") + ["x"]])
    write_csv(folder / "tickets.csv", TICKET_HEADER,
              [ticket(i, 1 + i % 3, csat=str(1 + i % 5), body=f"Call me on +44 20 7946 {i:04d} <b>now</b>")
               for i in range(9)] + [ticket(50, 2, csat="9")])
    write_csv(folder / "events.csv", EVENT_HEADER, [event(i, 1 + i % 3) for i in range(40)]
              + [event(41, occurred_at="2026-02-30T10:00:00Z"), event(5)])
    return folder


def _snapshot(engine: Engine) -> dict[str, list[tuple]]:
    columns = {
        "customers": "customer_id, email, name, locale, plan, mrr, email_opt_in, created_at, extra",
        "tickets": "ticket_id, customer_id, created_at, subject, body, subject_redacted, body_redacted, channel, "
                   "status, tags, csat, extra",
        "events": "event_id, customer_id, occurred_at, occurred_hour, name, feature, app_version, platform, "
                  "error_code, message, signature_id, extra",
        "signatures": "*",
    }
    out = {table: rows(engine, f"SELECT {cols} FROM {table} ORDER BY 1") for table, cols in columns.items()}
    out["quarantine"] = sorted(rows(engine, "SELECT table_name, rule FROM quarantine"))
    return out


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in ("customers", "tickets", "events", "signatures", "quarantine", "ingest_runs"):
            connection.execute(text(f"DELETE FROM {table}"))


def test_parquet_and_database_sources_load_the_same_as_csv(warehouse: Engine, tmp_path: Path) -> None:
    csv_source = _world_for_formats(tmp_path / "csv")
    ingest(warehouse, str(csv_source), settings=SETTINGS)
    expected = _snapshot(warehouse)
    assert len(expected["events"]) == 40 and len(expected["quarantine"]) == 4

    parquet_source = tmp_path / "parquet"
    parquet_source.mkdir()
    frames = {}
    for path in csv_source.glob("*.csv"):
        frames[path.stem] = pd.read_csv(path, dtype=str, keep_default_na=False)
        pq.write_table(pa.Table.from_pandas(frames[path.stem], preserve_index=False),
                       parquet_source / f"{path.stem}.parquet")
    _empty(warehouse)
    ingest(warehouse, str(parquet_source), settings=SETTINGS)
    assert _snapshot(warehouse) == expected

    database = tmp_path / "source.db"
    source_engine = create_engine(f"sqlite:///{database}")
    for name, frame in frames.items():
        frame.to_sql(name, source_engine, index=False)
    source_engine.dispose()
    _empty(warehouse)
    ingest(warehouse, f"sqlite:///{database}", settings=SETTINGS)
    assert _snapshot(warehouse) == expected


def test_typed_parquet_loads_like_text(warehouse: Engine, tmp_path: Path) -> None:
    source = tmp_path / "typed"
    source.mkdir()
    pq.write_table(pa.table({
        "customer_id": ["C001", "C002"],
        "email": ["a@example.com", None],
        "name": ["A", "B"],
        "mrr": pa.array([12.5, None], pa.float64()),
        "email_opt_in": [True, False],
        "created_at": pa.array([datetime(2025, 12, 1, 8, 0, 0, 250000), datetime(2025, 12, 2)], pa.timestamp("ms", "UTC")),
        "signup_day": pa.array([date(2025, 12, 1), None], pa.date32()),
    }), source / "customers.parquet")
    load = ingest(warehouse, str(source), settings=SETTINGS, tables=(CUSTOMERS,)).tables[0]
    assert (load.loaded, load.quarantined, dict(load.by_rule)) == (1, 1, {"missing_email": 1})
    assert rows(warehouse, "SELECT customer_id, mrr, email_opt_in, created_at, extra FROM customers") == [
        ("C001", 12.5, True, datetime(2025, 12, 1, 8, 0, 0, 250000), '{"signup_day": "2025-12-01"}')]


def test_extra_columns_end_in_extra_json_and_never_break_a_load(warehouse: Engine, tmp_path: Path) -> None:
    source = tmp_path / "src"
    header = ["segment", *CUSTOMER_HEADER, "name", "notes, free text"]
    write_csv(source / "customers.csv", header, [
        ["smb", *customer(1), "Alias", 'says "hi"\nand more'],
        ["", *customer(2), "", ""],
    ])
    load = ingest(warehouse, str(source), settings=SETTINGS, tables=(CUSTOMERS,)).tables[0]
    assert load.loaded == 2
    extras = dict(rows(warehouse, "SELECT customer_id, extra FROM customers"))
    assert json.loads(extras["C001"]) == {"segment": "smb", "name.1": "Alias", "notes, free text": 'says "hi"\nand more'}
    assert extras["C002"] is None, "a row whose extra columns are all empty carries no extra JSON"


def test_logs_never_carry_an_email_address_or_a_ticket_body(
    warehouse: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = tmp_path / "src"
    secret = "My landlord Jane Roe knows the secret body text"
    write_csv(source / "customers.csv", CUSTOMER_HEADER,
              [customer(1, email="jane.roe@private.example"), customer(2, email="broken@@private.example")])
    write_csv(source / "tickets.csv", TICKET_HEADER, [ticket(1, body=secret), ticket(2, body=secret, created_at="x")])
    write_csv(source / "events.csv", EVENT_HEADER, [event(1), ["E9", "jane.roe@private.example"]])
    caplog.set_level(logging.DEBUG)
    ingest(warehouse, str(source), settings=SETTINGS)
    assert caplog.records, "the ingest logs its counts"
    assert "private.example" not in caplog.text and "@" not in caplog.text
    assert "landlord" not in caplog.text and "secret body" not in caplog.text


def test_the_same_folder_named_another_way_files_its_bad_rows_once(sqlite_warehouse: Engine, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Quarantine is keyed by the file a row came from: a load of "src" and one of the absolute path filed
    every bad row twice, and the report counted 220 quarantined rows for 169."""
    source = small_source(tmp_path / "src")
    monkeypatch.chdir(tmp_path)
    ingest(sqlite_warehouse, "src", settings=SETTINGS)
    before = count(sqlite_warehouse, "quarantine")
    ingest(sqlite_warehouse, str(source.resolve()), settings=SETTINGS)
    assert before > 0 and count(sqlite_warehouse, "quarantine") == before


def test_a_quarantined_customer_row_that_says_opted_out_withdraws_the_earlier_opt_in(
    warehouse: Engine, tmp_path: Path
) -> None:
    # Walk of stop 45: an opt-out spelled "unsubscribed", left blank, or in a second file of the same load
    # (a duplicate id) was quarantined, the earlier "true" stayed in force and outreach emailed them.
    first = tmp_path / "first"
    write_csv(first / "customers.csv", CUSTOMER_HEADER, [customer(i) for i in range(1, 7)])
    ingest(warehouse, str(first), settings=SETTINGS)
    later = tmp_path / "later"
    write_csv(later / "customers.csv", CUSTOMER_HEADER, [
        customer(1, email_opt_in="unsubscribed"),  # unreadable: in doubt
        customer(2, email_opt_in=""),  # missing: in doubt
        customer(3),  # opted in here, opted out in the second file below
        customer(4, email="not-an-address"),  # quarantined for its email, opt-in still true: kept
        customer(5),
        customer(6),
        customer(7, email_opt_in="maybe"),  # a new customer: not loaded, nothing to withdraw
    ])
    write_csv(later / "customers-2.csv", CUSTOMER_HEADER, [customer(3, email_opt_in="false")])

    report = ingest(warehouse, str(later), settings=ValidationSettings(max_bad_row_share=0.9))

    loaded = report.tables[0]
    assert loaded.table == "customers" and loaded.consent_withdrawn == 3
    assert rows(warehouse, "SELECT customer_id, email_opt_in FROM customers ORDER BY customer_id") == [
        ("C001", False), ("C002", False), ("C003", False), ("C004", True), ("C005", True), ("C006", True),
    ]
    again = ingest(warehouse, str(later), settings=ValidationSettings(max_bad_row_share=0.9)).tables[0]
    # C001 and C002 stay withdrawn; C003's files still disagree: its first file's "true" is loaded and
    # withdrawn again in the same transaction, and the run says so until the files agree.
    assert again.consent_withdrawn == 1
    assert rows(warehouse, "SELECT customer_id FROM customers WHERE NOT email_opt_in ORDER BY customer_id") == [
        ("C001",), ("C002",), ("C003",),
    ]


def _sixty_events_loaded(warehouse: Engine, tmp_path: Path) -> Path:
    first = tmp_path / "first"
    write_csv(first / "events.csv", EVENT_HEADER, [event(i) for i in range(60)])
    ingest(warehouse, str(first), settings=SETTINGS)
    return first


def test_an_event_id_reused_for_another_event_is_quarantined_not_counted_unchanged(
    warehouse: Engine, tmp_path: Path
) -> None:
    # Events never change, so a stored id is skipped. A second source whose ids start at E00001 again had
    # every event counted "unchanged" and lost (a README walk loaded its own export into the demo's warehouse).
    first = _sixty_events_loaded(warehouse, tmp_path)
    second = tmp_path / "second"
    reused = [event(i, customer_id="C777") for i in range(5)] + [event(i, day=2) for i in range(5, 7)]
    write_csv(second / "events.csv", EVENT_HEADER, [event(i) for i in range(7, 60)] + reused + [event(100 + i) for i in range(5)])

    summary = ingest_summary(ingest(warehouse, str(second), settings=SETTINGS))["events"]

    assert (summary["loaded"], summary["unchanged"], summary["quarantined"]) == (5, 53, 7)
    assert rows(warehouse, "SELECT rule, count(*) FROM quarantine GROUP BY rule") == [("conflicting_id", 7)]
    assert rows(warehouse, "SELECT count(*) FROM events WHERE customer_id = 'C777'") == [(0,)]  # the stored ones stand
    again = ingest_summary(ingest(warehouse, str(first), settings=SETTINGS))["events"]
    assert (again["loaded"], again["unchanged"], again["quarantined"]) == (0, 60, 0)  # a rerun is no conflict


def test_a_source_whose_event_ids_all_belong_to_other_events_stops_with_the_reason(
    warehouse: Engine, tmp_path: Path
) -> None:
    _sixty_events_loaded(warehouse, tmp_path)
    other = tmp_path / "other"
    write_csv(other / "events.csv", EVENT_HEADER, [event(i, customer_id="C777") for i in range(60)])

    with pytest.raises(GateFailure, match="conflicting_id 60") as stopped:
        ingest(warehouse, str(other), settings=SETTINGS)
    assert "a warehouse of its own" in str(stopped.value)
    assert rows(warehouse, "SELECT count(*) FROM events WHERE customer_id = 'C777'") == [(0,)]
