"""Load one interval of a source into the warehouse: read → coerce → validate → upsert or quarantine.

Each table is one transaction: a table-level gate failure rolls the table back and stops the run, so
nothing is half-written. Every row read ends in exactly one of: loaded (new or changed), unchanged
(already in the warehouse), quarantined (with its rule and raw content) or outside the interval.
Rows that reached the source after an earlier load read their hour are found and loaded as late
arrivals (``late_arrivals``), in the same transaction, and recorded as a load of their own.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine

from pipeline import late_arrivals, records
from pipeline.coercion import PARSED_SUFFIX, coerce_chunk
from pipeline.contract import CUSTOMERS, EVENTS, TABLES, TICKETS, TableSpec
from pipeline.mapping.model import SourceMapping
from pipeline.sources import ROW_NUMBER, Chunk, read_table
from pipeline.validation import GateFailure, ValidationSettings, validate_chunk
from pipeline.validation.suites import rule_columns
from sql import expanding_texts, statement

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int], None]
TableReader = Callable[[str, TableSpec, int], Iterator[Chunk]]
SQLITE_BULK_CACHE_KIB = 64 * 1024


@dataclass(frozen=True)
class Interval:
    """A half-open time interval [start, end) in naive UTC; None means unbounded."""

    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start >= self.end:
            raise ValueError(f"interval start {self.start} is not before its end {self.end}")

    def describe(self) -> str:
        """``[start, end) UTC`` (every time in the warehouse is UTC, whatever offset the user gave)."""
        start = f"{self.start:%Y-%m-%d %H:%M:%S}" if self.start else "-inf"
        end = f"{self.end:%Y-%m-%d %H:%M:%S}" if self.end else "+inf"
        return f"[{start}, {end}) UTC" if self.is_bounded else f"[{start}, {end})"

    @property
    def is_bounded(self) -> bool:
        return self.start is not None or self.end is not None


@dataclass
class TableLoad:
    """What happened to one table's rows in one run; the counts add up to ``rows_read``."""

    table: str
    rows_read: int = 0
    outside_interval: int = 0
    loaded: int = 0
    unchanged: int = 0
    quarantined: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    max_timestamp: datetime | None = None
    # Quarantined rows whose time is missing or unreadable, so they belong to no interval: every bounded
    # load files them (once: quarantine is keyed by row), but they do not count in its gate share, or an
    # hourly load of 100 rows would fail on the same 60 untimed rows of a day's file every hour.
    untimed_quarantined: int = 0
    # Rows of earlier, already loaded hours that reached the source since and this run loaded
    # (``late_arrivals``), and the hours they were in; counted apart from the interval's own rows.
    late_loaded: int = 0
    late_quarantined: int = 0
    late_hours: list[datetime] = field(default_factory=list)
    # Customers whose row in this load was quarantined while it said "opted out", or its opt-in could not
    # be read: their earlier opt-in is withdrawn (``consent_withdrawn`` counts those it changed).
    consent_in_doubt: set[str] = field(default_factory=set, repr=False)
    consent_withdrawn: int = 0
    # Where a quote left open swallowed later records (file and row), so the terminal can say it.
    open_quotes: list[str] = field(default_factory=list)

    @property
    def in_interval(self) -> int:
        return self.rows_read - self.outside_interval

    def adds_up(self) -> bool:
        return self.rows_read == self.outside_interval + self.loaded + self.unchanged + self.quarantined


@dataclass
class IngestReport:
    """The result of one ingest run."""

    source: str
    interval: Interval
    tables: list[TableLoad] = field(default_factory=list)


def ingest(
    engine: Engine,
    source: str,
    interval: Interval = Interval(),
    *,
    settings: ValidationSettings | None = None,
    tables: tuple[TableSpec, ...] = TABLES,
    chunk_rows: int = 100_000,
    progress: ProgressCallback | None = None,
    mapping: SourceMapping | None = None,
    late_window: timedelta | None = None,
) -> IngestReport:
    """Load every table of ``source`` for ``interval`` and return the counts.

    With a ``mapping`` (``pipeline.mapping``), the tables it maps are read through it: it is checked on
    the first records of every table before anything is written, and its rows meet the same gate.
    ``late_window`` (default ``FOREWARN_LATE_WINDOW_HOURS``, 48 h) is how far before the interval a load
    looks for rows that reached the source after their hour was loaded; a mapped source is read for its
    interval only (a query is given it, pulled pages sit in its folder), so it has none.

    Raises:
        pipeline.sources.SourceError: the source or one of its files cannot be read.
        pipeline.mapping.MappingError: the mapping does not fit the source (file, line and column named).
        GateFailure: a table failed its table-level gate (its load is rolled back).
    """
    settings = settings or ValidationSettings.from_env()
    window = late_arrivals.late_window_from_env() if late_window is None else late_window
    report = IngestReport(source=source, interval=interval)
    reader: TableReader = read_table
    if mapping is not None:
        window = timedelta(0)
        from pipeline.mapping import CustomerIndex, chunk_reader, preflight

        preflight(source, mapping, interval.start, interval.end)
        tables = tuple(spec for spec in tables if mapping.table(spec.name) is not None)
        reader = chunk_reader(source, mapping, interval.start, interval.end, CustomerIndex(engine))
    for spec in tables:
        report.tables.append(_load_table(engine, source, spec, interval, settings, chunk_rows, progress, reader, window))
    return report


def _load_table(
    engine: Engine,
    source: str,
    spec: TableSpec,
    interval: Interval,
    settings: ValidationSettings,
    chunk_rows: int,
    progress: ProgressCallback | None,
    reader: TableReader = read_table,
    late_window: timedelta = timedelta(0),
) -> TableLoad:
    load = TableLoad(spec.name)
    started = _utc_now()
    seen_keys: set[str] = set()
    tally = None
    if spec.time_column is not None and interval.is_bounded:
        tally = late_arrivals.HourTally.for_interval(interval.start, interval.end, late_window)
    with engine.begin() as connection, _bulk_cache(connection):
        for chunk in reader(source, spec, chunk_rows):
            _load_chunk(connection, chunk, spec, interval, load, seen_keys, started, tally)
            if progress:
                progress(spec.name, len(chunk.frame) + len(chunk.malformed))
        _check_gate(spec, load, settings)
        if load.consent_in_doubt:
            load.consent_withdrawn = _withdraw_consent(connection, sorted(load.consent_in_doubt))
        connection.execute(statement("insert_ingest_run"), _run_params(source, load, interval, started))
        if tally is not None:
            load.late_hours = late_arrivals.grown_hours(connection, source, spec.name, tally)
            if load.late_hours:
                _load_late_hours(connection, source, spec, chunk_rows, reader, load, seen_keys)
            late_arrivals.store_counts(
                connection, source, spec.name, tally, tally.covered_hours() + load.late_hours, started
            )
    log.info(
        "%s: read %s, outside interval %s, loaded %s, unchanged %s, quarantined %s, late arrivals loaded %s",
        spec.name, load.rows_read, load.outside_interval, load.loaded, load.unchanged, load.quarantined,
        load.late_loaded,
    )
    return load


def _load_late_hours(
    connection: Connection,
    source: str,
    spec: TableSpec,
    chunk_rows: int,
    reader: TableReader,
    load: TableLoad,
    seen_keys: set[str],
) -> None:
    """Read the source again for the hours that grew since they were loaded and load what is new there.

    Recorded as a load of its own (status ``late``, spanning those hours): the aggregates see a load
    into time they already counted and are rebuilt, and the interval gate never reads it as the
    interval's load.
    """
    late = TableLoad(spec.name)
    started = _utc_now()
    hours = frozenset(load.late_hours)
    span = Interval(min(hours), max(hours) + late_arrivals.HOUR)
    for chunk in reader(source, spec, chunk_rows):
        _load_chunk(connection, chunk, spec, span, late, seen_keys, started, hours=hours)
    load.late_loaded, load.late_quarantined = late.loaded, late.quarantined
    connection.execute(statement("insert_ingest_run"), {**_run_params(source, late, span, started), "status": "late"})
    log.info(
        "%s: %s hour(s) from %s held rows that arrived after they were loaded: %s loaded, %s already there, %s quarantined",
        spec.name, len(hours), span.start, late.loaded, late.unchanged, late.quarantined,
    )


@contextmanager
def _bulk_cache(connection: Connection) -> Iterator[None]:
    """On SQLite, a larger page cache while a table loads (index pages of a large table stay in memory)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    # A PRAGMA takes no bind parameters; both values are integers of ours, never input.
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB:d}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {previous:d}")


def _load_chunk(
    connection: Connection,
    chunk: Chunk,
    spec: TableSpec,
    interval: Interval,
    load: TableLoad,
    seen_keys: set[str],
    loaded_at: datetime,
    tally: late_arrivals.HourTally | None = None,
    hours: frozenset[datetime] | None = None,
) -> None:
    """Load one chunk's rows of ``interval`` (of ``hours`` only, when given: a late-arrival pass)."""
    if hours is not None:
        chunk = replace(chunk, malformed=[])  # malformed records were filed by the interval's own pass
    load.rows_read += len(chunk.frame) + len(chunk.malformed)
    typed = coerce_chunk(chunk.frame, spec)
    if tally is not None:
        tally.add(typed[spec.time_column])
    if hours is not None:
        typed = _within_hours(typed, spec, hours, load)
    else:
        typed = _within_interval(typed, spec, interval, load)
    failures = validate_chunk(typed, spec)
    # Rows a source mapping already rejected (unmapped value, timestamp format, unknown customer).
    # They come first: the mapping's reason is the root cause of what the suite then finds.
    columns_of_rules = rule_columns(spec)
    for label, found in chunk.rejected.items():
        if label in typed.index:
            failures.put_first(label, found, columns_of_rules)
    keys = typed[spec.key].to_numpy(dtype=object, na_value=None).tolist()
    # A key already loaded from an earlier chunk or file of this run is a duplicate too.
    if not seen_keys.isdisjoint(keys):
        for label, key in zip(typed.index.tolist(), keys, strict=True):
            if key in seen_keys:
                failures.add(label, "duplicate_id")
    bad_labels = sorted(failures.rules)
    for label in bad_labels:
        load.by_rule[failures.rules[label][0]] += 1
    if spec is CUSTOMERS and bad_labels:
        load.consent_in_doubt.update(_consent_in_doubt(typed.loc[bad_labels]))
    if spec.time_column is not None and interval.is_bounded and bad_labels:
        load.untimed_quarantined += int(typed.loc[bad_labels, spec.time_column].isna().sum())
    if chunk.malformed:
        load.by_rule["malformed_row"] += len(chunk.malformed)
        load.open_quotes += [
            f"{chunk.source} row {record.row_number}" for record in chunk.malformed if record.open_quote
        ]
    load.quarantined += len(bad_labels) + len(chunk.malformed)
    quarantine = _quarantine_rows(spec, chunk, bad_labels, failures.rules, interval, loaded_at)
    records.execute_rows(connection, "insert_quarantine", quarantine)
    good = typed.drop(index=bad_labels) if bad_labels else typed
    seen_keys.update(good[spec.key].tolist())
    if not good.empty:
        written = _write_good_rows(connection, good, spec, chunk.source, loaded_at)
        load.loaded += written
        load.unchanged += len(good) - written
        if spec is EVENTS and written < len(good):
            _quarantine_reused_event_ids(connection, chunk, good, load, interval, loaded_at)


# Ids looked up per query: well under SQLite's bound-variable limit (a 30,000 batch was no faster).
_LOOKUP_BATCH = 5_000


def _quarantine_reused_event_ids(
    connection: Connection, chunk: Chunk, good: pd.DataFrame, load: TableLoad, interval: Interval, loaded_at: datetime
) -> None:
    """File the events whose id is stored already with another customer, time or name as ``conflicting_id``.

    Events never change, so a stored id is skipped: right for a rerun, which reads the same rows again. A
    row that reuses the id for something else was counted "unchanged" and lost: a second source whose ids
    start at E000000001 again lost all its events into a warehouse holding the demo's (a README walk).
    Looked up only when some rows were not written, so a first load costs nothing more.
    """
    ids = good["event_id"].astype(str)
    clause = statement("select_events_by_id").bindparams(expanding_texts("event_ids"))
    stored = []
    for start in range(0, len(ids), _LOOKUP_BATCH):
        result = connection.execute(clause, {"event_ids": ids.iloc[start:start + _LOOKUP_BATCH].tolist()})
        # The driver's plain tuples: SQLAlchemy's rows cost 2 s more on a 590,000-event rerun, for nothing.
        stored += result.cursor.fetchall()
        result.close()
    known = pd.DataFrame.from_records(stored, columns=["event_id", "customer_id", "occurred_at", "name"])
    known = known.set_index("event_id")
    other = known.reindex(ids.to_numpy())  # aligned with the chunk's rows; all NaN where the id is new
    seen = other["customer_id"].notna().to_numpy()
    if not seen.any():
        return
    mine, other = good[seen], other[seen]
    same = (
        (mine["customer_id"].astype(str).to_numpy() == other["customer_id"].astype(str).to_numpy())
        & (pd.to_datetime(mine["occurred_at"]).to_numpy() == pd.to_datetime(other["occurred_at"]).to_numpy())
        & (mine["name"].astype(str).to_numpy() == other["name"].astype(str).to_numpy())
    )
    # A row this chunk wrote itself reads back the same; only the skipped ones can differ.
    labels = mine.index[~same].tolist()
    if not labels:
        return
    rules = {label: ["conflicting_id"] for label in labels}
    rows = _quarantine_rows(EVENTS, replace(chunk, malformed=[]), labels, rules, interval, loaded_at)
    records.execute_rows(connection, "insert_quarantine", rows)
    load.unchanged -= len(labels)
    load.quarantined += len(labels)
    load.by_rule["conflicting_id"] += len(labels)


def _consent_in_doubt(rows: pd.DataFrame) -> list[str]:
    """Ids of quarantined customer rows that say "opted out", or whose opt-in is missing or unreadable.

    A quarantined row is not loaded, so the customer's earlier opt-in would stay in force: an opt-out
    spelled "unsubscribed", left blank, or in a second file of the same load (a duplicate id) was
    emailed anyway. Consent is the one value that fails safe.
    """
    opt_in = rows["email_opt_in"]
    parsed = rows[f"email_opt_in{PARSED_SUFFIX}"].to_numpy(dtype=bool)
    doubt = opt_in.isna().to_numpy() | ~parsed | (opt_in == False).to_numpy(dtype=bool, na_value=False)  # noqa: E712
    ids = rows["customer_id"][doubt]
    return [str(value) for value in ids.dropna().tolist() if str(value).strip()]


def _withdraw_consent(connection: Connection, customer_ids: list[str]) -> int:
    changed = 0
    query = statement("withdraw_customer_opt_in").bindparams(expanding_texts("customer_ids"))
    for start in range(0, len(customer_ids), 1000):
        changed += connection.execute(query, {"customer_ids": customer_ids[start : start + 1000]}).rowcount
    return changed


def _quarantine_rows(
    spec: TableSpec,
    chunk: Chunk,
    bad_labels: list[int],
    rules: dict[int, list[str]],
    interval: Interval,
    loaded_at: datetime,
) -> records.BindRows:
    """Bind parameters for ``insert_quarantine``: malformed records, then rows that broke a rule."""
    bad = chunk.frame.loc[bad_labels]
    if chunk.raw is not None:
        raw = pd.Series(chunk.raw(bad_labels), dtype=object)
    else:
        raw = records.raw_rows(bad) if bad_labels else pd.Series([], dtype=object)
    return records.BindRows(
        {
            "table_name": spec.name,
            "source": chunk.source,
            "row_number": [r.row_number for r in chunk.malformed] + bad[ROW_NUMBER].astype(int).tolist(),
            "rule": ["malformed_row"] * len(chunk.malformed) + [rules[label][0] for label in bad_labels],
            "detail": [r.detail for r in chunk.malformed] + [_detail(spec, chunk, label, rules[label]) for label in bad_labels],
            "raw": [r.raw for r in chunk.malformed] + raw.tolist(),
            "interval_start": interval.start,
            "interval_end": interval.end,
            "loaded_at": loaded_at,
        },
        len(chunk.malformed) + len(bad_labels),
    )


def _detail(spec: TableSpec, chunk: Chunk, label: int, rules: list[str]) -> str:
    """The rules a row broke; with a mapping, each names the source field its column came from."""
    if not chunk.origins:
        return ", ".join(rules)
    columns = rule_columns(spec)
    parts = []
    mapped = dict(reversed(chunk.rejected.get(label, [])))
    for rule in rules:
        if rule in mapped:
            parts.append(f"{rule}: {mapped[rule]}")
        elif columns.get(rule) in chunk.origins:
            parts.append(f"{rule}: {columns[rule]} <- {chunk.origins[columns[rule]]}")
        else:
            parts.append(rule)
    return "; ".join(parts)


def _within_interval(typed: pd.DataFrame, spec: TableSpec, interval: Interval, load: TableLoad) -> pd.DataFrame:
    """Keep rows in the interval, and rows whose time is missing or unparseable (validation files them)."""
    if spec.time_column is None:
        return typed
    times = typed[spec.time_column]
    if times.notna().any():
        newest = times.max().to_pydatetime()
        load.max_timestamp = max(filter(None, [load.max_timestamp, newest]))
    keep = pd.Series(True, index=typed.index)
    if interval.start is not None:
        keep &= times.isna() | (times >= interval.start)
    if interval.end is not None:
        keep &= times.isna() | (times < interval.end)
    load.outside_interval += int((~keep).sum())
    return typed[keep]


def _within_hours(typed: pd.DataFrame, spec: TableSpec, hours: frozenset[datetime], load: TableLoad) -> pd.DataFrame:
    """Keep the rows whose time falls in one of ``hours`` (each the start of a whole hour)."""
    times = typed[spec.time_column]
    keep = times.notna() & times.dt.floor("h").isin(list(hours))
    load.outside_interval += int((~keep).sum())
    return typed[keep]


def _write_good_rows(connection: Connection, good: pd.DataFrame, spec: TableSpec, source: str, loaded_at: datetime) -> int:
    """Upsert valid rows; return how many were new or changed."""
    if spec is CUSTOMERS:
        return records.execute_rows(connection, "upsert_customers", records.customer_params(good, source, loaded_at))
    if spec is TICKETS:
        return records.execute_rows(connection, "upsert_tickets", records.ticket_params(good, source, loaded_at))
    if spec is EVENTS:
        events, signatures = records.event_params(good, source, loaded_at)
        written = records.execute_rows(connection, "insert_events", events)
        records.execute_rows(connection, "upsert_signatures", signatures)
        return written
    raise ValueError(f"no loader for table {spec.name}")


def _check_gate(spec: TableSpec, load: TableLoad, settings: ValidationSettings) -> None:
    """Stop the run when too many rows are bad (freshness is the interval gate's job)."""
    considered, share = settings.bad_row_share(load.in_interval, load.quarantined, load.untimed_quarantined)
    if share is not None and share > settings.max_bad_row_share:
        top = ", ".join(f"{rule} {count}" for rule, count in load.by_rule.most_common(3))
        fix = (
            "Their ids are stored already for other events: another source needs a warehouse of its own "
            "(FOREWARN_HOME or FOREWARN_DATABASE_URL), or ids of its own"
            if load.by_rule.most_common(1)[0][0] == "conflicting_id"
            else "Fix the source, or raise FOREWARN_MAX_BAD_ROW_SHARE if this is expected"
        )
        raise GateFailure(
            f"{spec.name}: {share:.0%} of {considered} rows failed validation ({top}), above the limit "
            f"{settings.max_bad_row_share:.0%}; nothing was loaded for this table. {fix}"
        )


def _run_params(source: str, load: TableLoad, interval: Interval, started: datetime) -> dict[str, object]:
    return {
        "source": source,
        "table_name": load.table,
        "interval_start": interval.start,
        "interval_end": interval.end,
        "rows_read": load.rows_read,
        "rows_in_interval": load.in_interval,
        "rows_loaded": load.loaded,
        "rows_quarantined": load.quarantined,
        "rows_untimed_quarantined": load.untimed_quarantined,
        "max_timestamp": load.max_timestamp,
        "started_at": started,
        "finished_at": _utc_now(),
        "status": "ok",
    }


def _utc_now() -> datetime:
    # Audit metadata only (when a row was written); what is loaded is decided by the interval.
    return datetime.now(UTC).replace(tzinfo=None)


def ingest_summary(report: IngestReport) -> dict[str, dict[str, int]]:
    """The counts of a run as a small dict (what a DAG task returns through XCom)."""
    return {
        t.table: {
            "read": t.rows_read,
            "outside_interval": t.outside_interval,
            "loaded": t.loaded,
            "unchanged": t.unchanged,
            "quarantined": t.quarantined,
            "late_loaded": t.late_loaded,
            "consent_withdrawn": t.consent_withdrawn,
        }
        for t in report.tables
    }
