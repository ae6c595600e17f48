"""Replay one simulated world as other event pipelines and help desks would write it.

Run from the repository root:

    .venv/bin/python benchmarks/world_spellings.py                    # seed 3, every variant, two at a time
    .venv/bin/python benchmarks/world_spellings.py --seed 13 --variants as_written,no_error_codes

The input contract leaves room: timestamps with any offset, optional columns (``error_code``), versions
and platforms as each SDK spells them, booleans as each export writes them, workarounds that name any of
their ``applies_to`` keys. Quality worlds from another generator use that room. Each variant below rewrites the same world (same customers, tickets, events and
truth; only the spelling changes), and each is replayed hourly from its second day with approvals after
1 h, as ``backtest_hourly.py --part quality`` does. A figure that moves between variants is a place where
Forewarn reads the contract more narrowly than it is written.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import yaml

from pipeline.backtest import OutreachPlan, backtest, default_workarounds
from pipeline.detect import DetectSettings
from pipeline.simulate import WorldSettings, simulate_world

_LOCALES = {"en": "en-US", "de": "de-DE", "fr": "fr_FR", "es": "es-ES", "pt": "pt-BR"}
_USAGE_NAMES = {"session_start": "app_open", "feature_used": "screen_view", "login": "sign_in",
                "sync_completed": "sync_done"}


def _frames(world: Path, pattern: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    for path in sorted(world.glob(pattern)):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        change(frame).to_csv(path, index=False)


def _with_offset(values: pd.Series, separator: str = "T") -> pd.Series:
    """The same instants written in Berlin time with their offset ("2026-01-08T13:07:00+01:00")."""
    stamps = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    local = stamps.dt.tz_convert("Europe/Berlin")
    offset = local.dt.strftime("%z").str.replace(r"(\d\d)(\d\d)$", r"\1:\2", regex=True)
    written = local.dt.strftime(f"%Y-%m-%d{separator}%H:%M:%S.%f").str[:-3] + offset
    return written.where(stamps.notna(), values)  # the world's deliberately unreadable stamps stay as they are


def _offsets_locales_booleans(world: Path) -> None:
    def customers(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(locale=frame["locale"].map(lambda v: _LOCALES.get(v, v)),
                            email_opt_in=frame["email_opt_in"].str.upper(), created_at=_with_offset(frame["created_at"]))

    def tickets(frame: pd.DataFrame) -> pd.DataFrame:
        csat = frame["csat"].map(lambda v: f"{float(v):.1f}" if v.strip().isdigit() else v)
        return frame.assign(created_at=_with_offset(frame["created_at"]), csat=csat)

    _frames(world, "customers*.csv", customers)
    _frames(world, "tickets*.csv", tickets)
    _frames(world, "events*.csv", lambda f: f.assign(occurred_at=_with_offset(f["occurred_at"], " ")))


def _naive_utc(world: Path) -> None:
    """Timestamps without an offset, which the contract reads as UTC: the same instants."""
    def strip(values: pd.Series) -> pd.Series:
        return values.str.replace(r"(Z|[+-]00:00)$", "", regex=True)

    _frames(world, "customers*.csv", lambda f: f.assign(created_at=strip(f["created_at"])))
    _frames(world, "tickets*.csv", lambda f: f.assign(created_at=strip(f["created_at"])))
    _frames(world, "events*.csv", lambda f: f.assign(occurred_at=strip(f["occurred_at"])))


def _typed_parquet(world: Path) -> None:
    """Every table as Parquet with typed columns (timestamps, numbers, booleans), as a data warehouse exports it."""
    times = {"customers": ["created_at"], "tickets": ["created_at"], "events": ["occurred_at"]}
    for path in sorted(world.glob("*.csv")):
        table = path.stem.split("-")[0]
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
        for column in times.get(table, []):  # a typed column has no unreadable stamp: the world's dirty ones are null
            frame[column] = pd.to_datetime(frame[column], utc=True, errors="coerce", format="ISO8601")
        if "email_opt_in" in frame:
            frame["email_opt_in"] = frame["email_opt_in"].astype(str).str.lower().map({"true": True, "false": False})
        frame.to_parquet(path.with_suffix(".parquet"), index=False)
        path.unlink()


def _camel_case_names(world: Path) -> None:
    camel = lambda name: "".join(part.capitalize() for part in name.split("_"))  # noqa: E731
    _frames(world, "events*.csv", lambda f: f.assign(name=f["name"].map(camel)))


def _prefixed_versions(world: Path) -> None:
    _frames(world, "events*.csv", lambda f: f.assign(app_version=f["app_version"].map(lambda v: f"v{v}" if v else v)))


def _capitalised_platforms(world: Path) -> None:
    _frames(world, "events*.csv", lambda f: f.assign(platform=f["platform"].str.capitalize()))


def _no_error_codes(world: Path) -> None:
    _frames(world, "events*.csv", lambda f: f.drop(columns=["error_code"]))


def _codes_in_messages(world: Path) -> None:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        coded = frame["error_code"] != ""
        message = frame["message"].where(~coded, frame["error_code"] + ": " + frame["message"])
        return frame.assign(message=message, error_code="")

    _frames(world, "events*.csv", change)


def _no_subjects(world: Path) -> None:
    _frames(world, "tickets*.csv", lambda f: f.assign(subject=""))


def _other_usage_names(world: Path) -> None:
    _frames(world, "events*.csv", lambda f: f.assign(name=f["name"].map(lambda n: _USAGE_NAMES.get(n, n))))


def _workarounds_keeping(world: Path, fields: tuple[str, ...]) -> None:
    """Every workaround's ``applies_to`` cut down to ``fields``: the contract asks for any of its keys, and
    another team's workarounds may name no error code, or only the words a customer would use."""
    for path in sorted((world / "workarounds").glob("*.md")):
        _, front, steps = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        meta["applies_to"] = {k: v for k, v in meta["applies_to"].items() if k in fields}
        path.write_text(f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n{steps}", encoding="utf-8")


def _workarounds_without_codes(world: Path) -> None:
    _workarounds_keeping(world, ("features", "platforms", "app_versions", "keywords"))


def _workarounds_keywords_only(world: Path) -> None:
    _workarounds_keeping(world, ("keywords",))


VARIANTS: dict[str, Callable[[Path], None] | None] = {
    "as_written": None,
    "offsets_locales_booleans": _offsets_locales_booleans,
    "naive_utc_timestamps": _naive_utc,
    "typed_parquet": _typed_parquet,
    "camel_case_event_names": _camel_case_names,
    "v_prefixed_versions": _prefixed_versions,
    "capitalised_platforms": _capitalised_platforms,
    "no_error_codes": _no_error_codes,
    "codes_in_messages": _codes_in_messages,
    "no_subjects": _no_subjects,
    "other_usage_event_names": _other_usage_names,
    "workarounds_without_codes": _workarounds_without_codes,
    "workarounds_keywords_only": _workarounds_keywords_only,
}


def _replay(world: Path, days: int, embedder: str) -> dict:
    plan = OutreachPlan(workarounds_dir=default_workarounds(str(world)), approve_after=timedelta(hours=1))
    result = backtest(str(world), datetime(2026, 1, 2), datetime(2026, 1, 1) + timedelta(days=days),
                      every=timedelta(hours=1), truth=world / "truth", settings=DetectSettings(embedder=embedder),
                      plan=plan)
    summary = result.outreach["summary"]
    return {
        "reach": summary["reach_before_ticket"],
        "reached": f"{summary['reached_before_ticket']}/{summary['writers_could_be_emailed']}",
        "emailed": summary["emailed"], "precision": summary["precision"],
        "false_incidents": summary["false_incidents"], "emailed_incidents": summary["emailed_incidents"],
        "median_hours": summary["median_hours_evidence_to_first_email"],
        "per_incident": {i["kind"]: i.get("reach_before_ticket") for i in result.outreach["injected_incidents"]},
    }


def _variant(name: str, world: Path, root: Path, days: int, embedder: str) -> tuple[str, dict]:
    copy = root / name
    shutil.copytree(world, copy)
    rewrite = VARIANTS[name]
    if rewrite is not None:
        rewrite(copy)
    return name, _replay(copy, days, embedder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=12)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated, of: " + ", ".join(VARIANTS))
    parser.add_argument("--embedder", choices=["auto", "tfidf"], default="tfidf")
    parser.add_argument("--jobs", type=int, default=2, help="variants replayed at once")
    args = parser.parse_args()
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = sorted(set(names) - set(VARIANTS))
    if unknown:
        raise SystemExit(f"world_spellings: error: unknown variant(s) {unknown}; choose from {list(VARIANTS)}")
    root = Path(tempfile.mkdtemp(prefix="forewarn-spellings-"))
    world = root / "world"
    simulate_world(WorldSettings(customers=args.customers, days=args.days, seed=args.seed, start=date(2026, 1, 1)), world)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(_variant, name, world, root, args.days, args.embedder) for name in names]
        rows = dict(future.result() for future in futures)
    print(f"{'variant':26} {'reach':>6} {'reached':>8} {'emailed':>7} {'precision':>9} {'false':>5}  per incident")
    for name in names:
        row = rows[name]
        print(f"{name:26} {row['reach']:>6} {row['reached']:>8} {row['emailed']:>7} {row['precision']:>9} "
              f"{row['false_incidents']:>5}  {json.dumps(row['per_incident'])}")
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
