"""Incident detection at the SPEC's scale: 10 million events in one day, aggregates computed in SQL.

Run from the repository root (about 6 GB free disk in the temp folder; several minutes to generate):

    .venv/bin/python benchmarks/detect_incidents.py                  # 100,000 customers, 10M events on the last day
    .venv/bin/python benchmarks/detect_incidents.py --events 1000000 --customers 20000

A temporary SQLite warehouse gets, written straight into ``events`` with numpy (no ingest): 27 days of
history (one session per customer per day and the usual errors) and one day with ``--events`` events.
Planted on the last day: a spike of one bug on every platform, a new bug on every platform, and a bad
Android build (its sessions crash); web ships a new build the day before (a near-instant rollout, the
case where a bug on every platform can pass for a web regression).

Timed separately: the SQL aggregates (``refresh_aggregates``: the daily refresh that adds the last
day to yesterday's aggregates, and a rebuild from all events) and incident detection after them
(``detect_incidents``, the target is <= 60 s for 10M events). Prints what was found.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, text

from detectors.signatures import signature_key
from pipeline.detect import DetectSettings
from pipeline.detect.aggregates import refresh_aggregates
from pipeline.detect.incidents import detect_incidents
from pipeline.warehouse import make_engine, migrate

DAY = np.datetime64("2026-02-28T00:00:00", "us")
AS_OF = datetime(2026, 3, 1)
HISTORY_DAYS = 27
PLATFORMS = np.array(["web", "ios", "android", "windows", "macos"])
PLATFORM_SHARE = np.array([0.45, 0.2, 0.2, 0.1, 0.05])
FEATURES = np.array(["export", "search", "calendar", "tasks", "billing", "attachments", "login", "sync"])
BUGS = 60  # each bug is one signature per platform
ERROR_SHARE = 0.01  # of the last day's events; the history has the same errors per hour
US_PER_HOUR = 3_600_000_000
US_PER_DAY = 24 * US_PER_HOUR
# Releases: (platform, version, released hours before the last day starts (negative: on it), days to full
# rollout; 0 = instant). The bad Android build ships at 03:00 on the last day, so all its crashes are in it.
RELEASES = (
    ("web", "4.30.0", 90 * 24, 0), ("web", "4.31.0", 9 * 24 - 15, 0), ("web", "4.32.0", 24 - 15, 0),
    ("ios", "5.11.0", 90 * 24, 0), ("ios", "5.12.0", 12 * 24 - 15, 8),
    ("android", "5.11.0", 90 * 24, 0), ("android", "5.12.0", 12 * 24 - 15, 8), ("android", "5.13.0", -3, 2),
    ("windows", "3.7.0", 90 * 24, 0), ("windows", "3.8.0", 15 * 24 - 15, 6),
    ("macos", "3.7.0", 90 * 24, 0), ("macos", "3.8.0", 15 * 24 - 15, 6),
)
BAD_BUILD = ("android", "5.13.0")
CRASH_PER_SESSION_HOUR = 0.25
SPIKE_BUG, SPIKE_HOURS, SPIKE_EVENTS = 7, (14, 18), 3_000
NEW_BUG_CODE, NEW_BUG_HOUR, NEW_BUG_EVENTS = "E-NEW-ENCODING", 10, 2_000


@dataclass
class Columns:
    """Event columns as numpy arrays (times in microseconds since the epoch)."""

    customer: np.ndarray
    t: np.ndarray
    name: np.ndarray
    feature: np.ndarray
    code: np.ndarray  # "" for usage events
    platform: np.ndarray
    version: np.ndarray


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="events on the last day")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warehouse", type=Path,
                        help="keep the generated SQLite warehouse here; when the file exists, reuse it (no generation)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each detector's counts")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(relativeCreated)8.0f ms %(name)s: %(message)s")
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory(prefix="forewarn-bench-") as scratch:
        path = args.warehouse or Path(scratch) / "warehouse.db"
        if args.warehouse and path.exists():
            engine = make_engine(f"sqlite:///{path}")
            with engine.connect() as connection:
                rows = int(connection.execute(text("SELECT COUNT(*) FROM events")).scalar())
            print(f"reusing {path}: {rows:,} events")
        else:
            engine = make_engine(f"sqlite:///{path}")
            migrate(engine)
            engine.dispose()  # the generator writes through its own connection
            began = time.perf_counter()
            rows = generate(path, args.customers, args.events, rng)
            print(f"generated {rows:,} events ({args.events:,} on the last day) for {args.customers:,} customers "
                  f"in {time.perf_counter() - began:.0f} s; warehouse {path.stat().st_size / 1e9:.1f} GB")
        last_day = AS_OF - timedelta(days=1)
        began = time.perf_counter()
        refresh_aggregates(engine, last_day)  # as yesterday's run left them
        print(f"aggregates up to the last day (SQL, the history): {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        plan = refresh_aggregates(engine, AS_OF)
        print(f"aggregates, daily refresh (adds the last day's events; {plan.reason}): "
              f"{time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        refresh_aggregates(engine, AS_OF, rebuild=True)
        print(f"aggregates, rebuilt from all {rows:,} events: {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        run = detect_incidents(engine, AS_OF, DetectSettings())
        print(f"incident detection after the aggregates: {time.perf_counter() - began:.1f} s -> {run.by_kind}, "
              f"{run.customers:,} affected customers, {run.error_events:,} error events looked at")
        report(engine)
        engine.dispose()


def generate(path: Path, n_customers: int, n_events: int, rng: np.random.Generator) -> int:
    """Write customers, signatures and all events straight into the SQLite warehouse; returns the event count."""
    platform = rng.choice(len(PLATFORMS), n_customers, p=PLATFORM_SHARE)
    adoption = rng.random(n_customers)
    activity = rng.lognormal(0, 1, n_customers)
    bug_rate = 1 / np.arange(1, BUGS + 1) ** 1.1  # a few common bugs, many rare ones
    parts = [_history_day(day, platform, adoption, n_customers, n_events, bug_rate, rng) for day in range(HISTORY_DAYS)]
    parts.append(_last_day(platform, adoption, activity, n_events, bug_rate, rng))
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    _customers(connection, n_customers, rng)
    total = 0
    for part in parts:
        total += _insert_events(connection, part, total)
    connection.commit()
    connection.close()
    return total


def _history_day(day: int, platform, adoption, n_customers, n_events, bug_rate, rng) -> Columns:  # noqa: ANN001
    """One session per customer, and the day's usual errors, ``HISTORY_DAYS - day`` days before the last day."""
    start = DAY - np.timedelta64((HISTORY_DAYS - day) * US_PER_DAY, "us")
    customers = np.arange(n_customers)
    sessions = _usage(customers, start.astype(np.int64) + rng.integers(0, US_PER_DAY, n_customers), platform, adoption)
    errors = _errors(int(n_events * ERROR_SHARE), start, platform, adoption, np.ones(n_customers), bug_rate, rng)
    return _concat([sessions, errors])


def _last_day(platform, adoption, activity, n_events, bug_rate, rng) -> Columns:  # noqa: ANN001
    n_errors = int(n_events * ERROR_SHARE)
    weights = activity / activity.sum()
    customers = rng.choice(len(platform), n_events - n_errors - SPIKE_EVENTS - NEW_BUG_EVENTS, p=weights)
    times = DAY.astype(np.int64) + rng.integers(0, US_PER_DAY, customers.size)
    usage = _usage(customers, times, platform, adoption)
    errors = _errors(n_errors, DAY, platform, adoption, activity, bug_rate, rng)
    crashes = _crashes(usage, rng)
    spike = _burst(f"E-{SPIKE_BUG:03d}", FEATURES[SPIKE_BUG % FEATURES.size], SPIKE_EVENTS, SPIKE_HOURS, 1_500,
                   platform, adoption, rng)
    fresh = _burst(NEW_BUG_CODE, "export", NEW_BUG_EVENTS, (NEW_BUG_HOUR, 24), 900, platform, adoption, rng)
    return _concat([usage, errors, crashes, spike, fresh])


def _usage(customers: np.ndarray, times: np.ndarray, platform: np.ndarray, adoption: np.ndarray) -> Columns:
    n = customers.size
    return Columns(customers, times, np.full(n, "feature_used"), FEATURES[customers % FEATURES.size], np.full(n, ""),
                   platform[customers], _versions(platform[customers], adoption[customers], times))


def _errors(n, start, platform, adoption, weights, bug_rate, rng) -> Columns:  # noqa: ANN001
    """The usual errors of a day, plus Android's usual crashes (the signature the bad build makes worse)."""
    customers = rng.choice(len(platform), n, p=weights / weights.sum())
    times = start.astype(np.int64) + rng.integers(0, US_PER_DAY, n)
    bugs = rng.choice(BUGS, n, p=bug_rate / bug_rate.sum())
    codes = np.char.add("E-", np.char.zfill(bugs.astype(str), 3))
    android = np.flatnonzero(platform == _platform_code(BAD_BUILD[0]))
    crashing = rng.choice(android, max(n // 100, 1))
    crash_times = start.astype(np.int64) + rng.integers(0, US_PER_DAY, crashing.size)
    k = crashing.size
    return _concat([
        Columns(customers, times, np.full(n, "error"), FEATURES[bugs % FEATURES.size], codes,
                platform[customers], _versions(platform[customers], adoption[customers], times)),
        Columns(crashing, crash_times, np.full(k, "crash"), np.full(k, "calendar"), np.full(k, "E-CRASH-NPE"),
                platform[crashing], _versions(platform[crashing], adoption[crashing], crash_times)),
    ])


def _crashes(usage: Columns, rng: np.random.Generator) -> Columns:
    """Sessions on the bad build crash: at most one crash per customer and hour, with some probability."""
    bad = (usage.platform == _platform_code(BAD_BUILD[0])) & (usage.version == BAD_BUILD[1])
    hours = usage.t[bad] // US_PER_HOUR
    pairs = np.unique(np.stack([usage.customer[bad], hours]), axis=1)
    keep = rng.random(pairs.shape[1]) < CRASH_PER_SESSION_HOUR
    customers, hours = pairs[0, keep], pairs[1, keep]
    n = customers.size
    return Columns(customers, hours * US_PER_HOUR + rng.integers(0, US_PER_HOUR, n), np.full(n, "crash"),
                   np.full(n, "calendar"), np.full(n, "E-CRASH-NPE"), np.full(n, _platform_code(BAD_BUILD[0])), np.full(n, BAD_BUILD[1]))


def _platform_code(name: str) -> int:
    return int(np.flatnonzero(PLATFORMS == name)[0])


def _burst(code, feature, n, hours, n_customers, platform, adoption, rng) -> Columns:  # noqa: ANN001
    """``n`` events of one bug on every platform from ``n_customers`` customers within ``hours`` of the last day."""
    chosen = rng.choice(len(platform), n_customers, replace=False)
    customers = rng.choice(chosen, n)
    times = DAY.astype(np.int64) + rng.integers(hours[0] * US_PER_HOUR, hours[1] * US_PER_HOUR, n)
    return Columns(customers, times, np.full(n, "error"), np.full(n, feature), np.full(n, code),
                   platform[customers], _versions(platform[customers], adoption[customers], times))


def _versions(platform: np.ndarray, adoption: np.ndarray, times: np.ndarray) -> np.ndarray:
    """The newest release each customer runs at each time (staged rollouts by adoption quantile)."""
    out = np.empty(platform.size, dtype=object)
    day_start = DAY.astype(np.int64)
    for code, name in enumerate(PLATFORMS):
        mine = platform == code
        for _, version, hours_before, rollout_days in (r for r in RELEASES if r[0] == name):
            since = (times[mine] - (day_start - hours_before * US_PER_HOUR)) / US_PER_DAY
            share = np.where(since < 0, 0.0, 1.0 if rollout_days == 0 else np.clip(since / rollout_days, 0, 1))
            on = adoption[mine] < share
            view = out[mine]
            view[on] = version
            out[mine] = view
    return out.astype(str)


def _concat(parts: list[Columns]) -> Columns:
    return Columns(*(np.concatenate([getattr(p, f) for p in parts]) for f in Columns.__dataclass_fields__))


def _customers(connection: sqlite3.Connection, n: int, rng: np.random.Generator) -> None:
    mrr = np.round(rng.lognormal(3, 1, n), 2)
    connection.executemany(
        "INSERT INTO customers (customer_id, email, name, mrr, email_opt_in, created_at, loaded_at) "
        "VALUES (?, ?, ?, ?, 1, '2025-01-01 00:00:00', '2026-03-01 00:00:00')",
        ((f"C{i:07d}", f"c{i}@example.com", f"Customer {i}", float(mrr[i])) for i in range(n)),
    )


def _insert_events(connection: sqlite3.Connection, c: Columns, offset: int, chunk: int = 1_000_000) -> int:
    """Insert one part's events in time order, with the signature ids the ingest would compute."""
    order = np.argsort(c.t, kind="stable")
    for start in range(0, order.size, chunk):
        _insert_chunk(connection, c, order[start : start + chunk], offset + start)
    return order.size


def _insert_chunk(connection: sqlite3.Connection, c: Columns, rows: np.ndarray, offset: int) -> None:
    micros = c.t[rows].astype("datetime64[us]")
    occurred = np.strings.replace(np.datetime_as_string(micros, unit="us"), "T", " ")
    hours = np.strings.replace(np.datetime_as_string(micros.astype("datetime64[h]"), unit="s"), "T", " ")
    platforms = PLATFORMS[c.platform[rows]]
    names, features, codes, versions = c.name[rows], c.feature[rows], c.code[rows], c.version[rows]
    signatures = np.full(rows.size, None, dtype=object)
    errors = codes != ""
    if errors.any():
        keys = np.stack([names[errors], codes[errors], features[errors], platforms[errors]])
        combos, inverse = np.unique(keys, axis=1, return_inverse=True)
        ids = np.array([signature_key(*combo, "") for combo in combos.T], dtype=object)
        signatures[errors] = ids[inverse.ravel()]
        _signatures(connection, combos, ids)
    customers = np.char.add("C", np.char.zfill(c.customer[rows].astype(str), 7))
    values = zip(
        (f"E{i:010d}" for i in range(offset, offset + rows.size)), customers.tolist(), occurred.tolist(),
        hours.tolist(), names.tolist(), features.tolist(), versions.tolist(), platforms.tolist(),
        [code or None for code in codes.tolist()], signatures.tolist(), strict=True,
    )
    connection.executemany(
        "INSERT INTO events (event_id, customer_id, occurred_at, occurred_hour, name, feature, app_version, platform, "
        "error_code, signature_id, source, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'bench', '2026-03-01 00:00:00')",
        values,
    )


def _signatures(connection: sqlite3.Connection, combos: np.ndarray, ids: np.ndarray) -> None:
    connection.executemany(
        "INSERT INTO signatures (signature_id, name, error_code, feature, platform, message_pattern) "
        "VALUES (?, ?, ?, ?, ?, '') ON CONFLICT (signature_id) DO NOTHING",
        [(str(i), *map(str, combo)) for i, combo in zip(ids, combos.T, strict=True)],
    )


def report(engine: Engine) -> None:
    """What was found, against what was planted."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT kind, error_code, platform, app_version, started_at, customer_count FROM incidents ORDER BY started_at")
        ).all()
    for row in rows:
        print("  ", " | ".join("-" if v is None else str(v) for v in row))
    planted = {f"E-{SPIKE_BUG:03d}": "spike", NEW_BUG_CODE: "new_signature", BAD_BUILD[1]: "release_regression"}
    # A release regression is the build, whether the release test found it on all errors or on one
    # signature (then it carries that signature's code, the bad build's crash).
    found = {(row[3] if row[0] == "release_regression" else row[1]): row[0] for row in rows}
    for subject, kind in planted.items():
        print(f"planted {kind} {subject}: {'found as ' + found[subject] if subject in found else 'NOT FOUND'}")
    extra = sorted(set(found) - set(planted))
    print(f"incidents not planted: {len(extra)} {extra}")


if __name__ == "__main__":
    main()
