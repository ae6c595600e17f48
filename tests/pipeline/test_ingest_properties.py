"""Property tests: any garbage CSV either loads or is quarantined, never crashes the ingest, never loses a row.

The only acceptable errors are a SourceError that names the file (not UTF-8, or a required column
missing from the header). Row counts are checked against the csv module's own reading of the bytes, and
against what the warehouse and quarantine really hold afterwards.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, text

from pipeline import csv_source
from pipeline.contract import CUSTOMERS, EVENTS, TICKETS, TableSpec
from pipeline.ingest import Interval, ingest
from pipeline.sources import ROW_NUMBER, SourceError, read_csv
from pipeline.validation import ValidationSettings
from pipeline.warehouse import make_engine, migrate

pytestmark = pytest.mark.integration

POSTGRES_URL = os.environ.get("FOREWARN_TEST_POSTGRES_URL")
LENIENT = ValidationSettings(max_bad_row_share=1.0)  # the table gate has its own tests; here every row counts
PLAUSIBLE = ["", " ", "E1", "E2", "C1", "c1 ", "2026-01-01T10:00:00Z", "2026-01-02 08:00", "2026-02-30", "soon",
             "error", "crash", "session_start", "true", "maybe", "-5", "3", "4.5", "1e400", "nan", "x@y.io", "a@@b",
             "en-GB", "T1", '"', '""', ",", "\n", "\r\n", "\x00", "é", "🙂", "<b>x</b>"]
CHARS = st.characters(blacklist_categories=("Cs",))  # every character UTF-8 can carry
FIELD = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.text(CHARS, max_size=12),
    st.text(alphabet='",\n\r\x00 ;ab', max_size=8),
    st.integers(60, 140).map(lambda n: "w" * n),  # wider than the warehouse's VARCHAR(64)
    st.just("h" * 50_000),  # a huge field
)

VALID = {
    "customer_id": st.sampled_from(["C1", "C2", " C3", "C4"]),
    "email": st.sampled_from(["a@example.com", "b.c@mail.example.org"]),
    "email_opt_in": st.sampled_from(["true", "no", "1"]),
    "mrr": st.sampled_from(["0", "12.5", ""]),
    "csat": st.sampled_from(["", "1", "5"]),
    "name": st.sampled_from(["error", "crash", "session_start", "Ann Lee"]),
    "locale": st.sampled_from(["en", "pt-BR", ""]),
}
TIMESTAMP = st.datetimes(datetime(2026, 1, 1), datetime(2026, 1, 3)).map(lambda t: t.isoformat() + "Z")


def field_for(spec: TableSpec, column: str) -> st.SearchStrategy[str]:
    """Mostly a value that passes validation (so rows do load), sometimes garbage."""
    if column == spec.key:
        valid = st.integers(1, 40).map(lambda n: f"K{n}")  # repeats make duplicates
    elif column in spec.column_names and spec.kind_of(column) == "timestamp":
        valid = TIMESTAMP
    else:
        valid = VALID.get(column, st.text(CHARS, max_size=10))
    return st.integers(0, 9).flatmap(lambda k: valid if k < 8 else FIELD)


@st.composite
def garbage_csv(draw: st.DrawFn) -> tuple[TableSpec, bytes]:
    spec = draw(st.sampled_from([EVENTS, CUSTOMERS, TICKETS]))
    columns = draw(st.lists(st.sampled_from(spec.column_names), max_size=len(spec.column_names) + 2))
    required = [] if draw(st.integers(0, 11)) == 0 else list(spec.required_columns)  # sometimes a column is missing
    extras = draw(st.lists(st.text(CHARS, max_size=6), max_size=2))
    header = draw(st.permutations(list(dict.fromkeys(required + columns)) + extras))
    row = st.tuples(*(field_for(spec, name) for name in header)).map(list)
    # Mostly the header's width; sometimes a field too few or too many.
    records = draw(st.lists(
        st.integers(0, 9).flatmap(lambda k: row if k < 8 else row.map(lambda r: r[:-1] if k == 8 else [*r, "x"])),
        max_size=25,
    ))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator=newline)
        writer.writerow(header)
        writer.writerows(records)
        body = buffer.getvalue()
    else:  # naive joins: quotes, commas and line breaks inside values break the structure
        body = newline.join(",".join(row) for row in [header, *records]) + newline * draw(st.integers(0, 2))
    lines = body.split(newline)
    for position in draw(st.lists(st.integers(1, max(1, len(lines))), max_size=3)):
        lines.insert(position, "")  # blank lines
    data = (draw(st.sampled_from(["", "\ufeff"])) + newline.join(lines)).encode("utf-8")
    if draw(st.integers(0, 11)) == 0:
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xe9t\xe9"])) + data[cut:]
    return spec, data


def reference_record_count(data: bytes) -> int:
    """Non-blank records after the header, as the csv module reads the bytes."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader, None)
    return sum(1 for record in reader if record)


def _postgres_engine() -> Iterator[Engine]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need FOREWARN_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    schema = f"fw_prop_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # generated name, not user input
    engine = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_warehouse(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One warehouse for all examples of a test (emptied before each example)."""
    if request.param == "postgresql":
        yield from _postgres_engine()
        return
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'warehouse.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in ("customers", "tickets", "events", "signatures", "quarantine", "ingest_runs"):
            connection.execute(text(f"DELETE FROM {table}"))


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=garbage_csv(), tiny_blocks=st.booleans(), chunk_rows=st.sampled_from([2, 7, 100_000]),
       windowed=st.booleans())
def test_garbage_csv_loads_or_is_quarantined_and_no_row_is_lost(
    module_warehouse: Engine, tmp_path_factory: pytest.TempPathFactory, case: tuple[TableSpec, bytes],
    tiny_blocks: bool, chunk_rows: int, windowed: bool,
) -> None:
    spec, data = case
    folder = tmp_path_factory.mktemp("garbage")
    path = folder / f"{spec.name}.csv"
    path.write_bytes(data)
    _empty(module_warehouse)
    interval = Interval(datetime(2026, 1, 1, 9), datetime(2026, 1, 2)) if windowed else Interval()
    saved = csv_source.ARROW_BLOCK_BYTES
    csv_source.ARROW_BLOCK_BYTES = 128 if tiny_blocks else saved  # exercise the csv-module fallback too
    try:
        report = ingest(module_warehouse, str(folder), interval, settings=LENIENT, tables=(spec,), chunk_rows=chunk_rows)
    except SourceError as exc:
        event("source error")
        assert str(path) in str(exc)
        # An undecodable file, a header without the table's columns, or (since stop 45) a file with no header at all.
        assert any(reason in str(exc) for reason in ("UTF-8", "missing for table", "the file is empty")), str(exc)
        assert _count(module_warehouse, f"SELECT count(*) FROM {spec.name}") == 0
        assert _count(module_warehouse, "SELECT count(*) FROM quarantine") == 0
        return
    finally:
        csv_source.ARROW_BLOCK_BYTES = saved
    load = report.tables[0]
    event(f"loaded {min(load.loaded, 3)}+, quarantined {min(load.quarantined, 3)}+, outside {min(load.outside_interval, 1)}+")
    assert load.adds_up()
    assert load.rows_read == reference_record_count(data)
    assert load.unchanged == 0, "a fresh warehouse has nothing unchanged"
    assert _count(module_warehouse, f"SELECT count(*) FROM {spec.name}") == load.loaded
    assert _count(module_warehouse, "SELECT count(*) FROM quarantine") == load.quarantined
    assert _count(module_warehouse, f"SELECT count(DISTINCT row_number) FROM quarantine WHERE source = '{path}'"
                  ) == load.quarantined
    assert _count(module_warehouse, f"SELECT count(*) FROM quarantine WHERE row_number < 1 OR row_number > {load.rows_read}") == 0
    assert sum(load.by_rule.values()) == load.quarantined


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=garbage_csv(), chunk_rows=st.sampled_from([1, 3, 100_000]))
def test_the_fast_csv_reader_reads_exactly_what_the_csv_module_reads(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[TableSpec, bytes], chunk_rows: int
) -> None:
    spec, data = case
    path = tmp_path_factory.mktemp("reader") / f"{spec.name}.csv"
    path.write_bytes(data)

    def read(fast: bool) -> object:
        try:
            chunks = list(read_csv(path, spec, chunk_rows, fast=fast))
        except SourceError as exc:
            return type(exc)
        rows = [tuple(row) for c in chunks for row in c.frame.drop(columns=ROW_NUMBER).itertuples(index=False)]
        numbers = [n for c in chunks for n in c.frame[ROW_NUMBER].tolist()]
        malformed = [(r.row_number, r.raw) for c in chunks for r in c.malformed]
        return rows, numbers, malformed, [list(c.frame.columns) for c in chunks]

    assert read(True) == read(False)
