"""The symptoms of a release regression: the error signatures its version has far more of than the one before.

A regression is about a version, not a signature, so it carries no error code of its own; yet a support
lead's workaround names a code ("E4012 when opening the calendar"), a customer recognises a feature, and
only the customers who hit the broken part should be written to. The symptoms are the signatures whose
rate per active customer-day on the new version is at least ``min_rate_ratio`` times the previous
version's (over the same days, or the week before the release when the old version is gone) and that
together make up the excess: each holds at least ``min_excess_share`` of it.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection

from pipeline.detect.found import Found
from pipeline.warehouse.frames import read_frame
from sql import expanding_texts, statement

log = logging.getLogger(__name__)

BASELINE_DAYS_BEFORE = 7
MAX_SYMPTOMS = 5


@dataclass(frozen=True)
class SymptomRule:
    """When an error signature counts as a symptom of a release. Units are in the names."""

    min_rate_ratio: float = 2.0
    min_excess_share: float = 0.10
    min_events: int = 3


@dataclass(frozen=True)
class Symptom:
    """One signature a regressed version errs on, and by how much more than its previous version."""

    signature_id: str
    name: str | None
    error_code: str | None
    feature: str | None
    events: int
    baseline_events: int
    rate_ratio: float

    def as_evidence(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def with_symptoms(connection: Connection, found: Found, as_of: datetime, rule: SymptomRule = SymptomRule()) -> Found:
    """``found`` (a release regression) with its symptoms in the evidence, the top one's code and feature
    as the incident's own, and its customers narrowed to those who hit a symptom (when any did)."""
    finding = found.finding
    started = finding.started_at.tz_convert(None).to_pydatetime()
    symptoms = find_symptoms(
        connection, platform=finding.platform or "", version=finding.app_version or "",
        previous=str(finding.evidence.get("previous_version") or ""), released_at=started, as_of=as_of, rule=rule,
    )
    if not symptoms:
        return found
    top = symptoms[0]
    told = dataclasses.replace(
        finding,
        error_code=finding.error_code or top.error_code,
        feature=finding.feature or top.feature,
        evidence={**finding.evidence, "symptom_signatures": [s.as_evidence() for s in symptoms]},
    )
    affected = _who_hit(connection, found.affected, [s.signature_id for s in symptoms], started)
    log.info("regression %s %s: %s symptoms (top %s), %s of %s erroring customers hit them", finding.platform,
             finding.app_version, len(symptoms), top.signature_id, len(affected), len(found.affected))
    return Found(told, affected, tuple(s.signature_id for s in symptoms), found.message_pattern)


def find_symptoms(
    connection: Connection, *, platform: str, version: str, previous: str, released_at: datetime, as_of: datetime,
    rule: SymptomRule = SymptomRule(),
) -> list[Symptom]:
    """The symptoms of ``version`` on ``platform`` against ``previous``, strongest excess first."""
    new = _events(connection, platform, version, released_at, as_of)
    if new.empty:
        return []
    since = released_at
    old_exposure = _active_days(connection, platform, previous, since, as_of)
    if old_exposure == 0:  # the old version is gone: compare with its last week before the release
        since = released_at - timedelta(days=BASELINE_DAYS_BEFORE)
        old_exposure = _active_days(connection, platform, previous, since, released_at)
    new_exposure = max(_active_days(connection, platform, version, released_at, as_of), 1)
    old = _events(connection, platform, previous, since, as_of if since == released_at else released_at)
    table = new.merge(old[["signature_id", "events"]], on="signature_id", how="left", suffixes=("", "_old"))
    table["events_old"] = table["events_old"].fillna(0).astype("int64")
    scale = new_exposure / max(old_exposure, 1)
    table["expected"] = table["events_old"] * scale if old_exposure else 0.0
    table["excess"] = table["events"] - table["expected"]
    table["ratio"] = (table["events"] + 0.5) / (table["expected"] + 0.5)
    positive = table.loc[(table["excess"] > 0) & (table["events"] >= rule.min_events)]
    total = float(positive["excess"].sum())
    if total <= 0:
        return []
    chosen = positive.loc[
        (positive["ratio"] >= rule.min_rate_ratio) & (positive["excess"] >= rule.min_excess_share * total)
    ].sort_values(["excess", "signature_id"], ascending=[False, True]).head(MAX_SYMPTOMS)
    return [
        Symptom(str(r.signature_id), _text(r.name), _text(r.error_code), _text(r.feature), int(r.events),
                int(r.events_old), round(float(r.ratio), 2))
        for r in chosen.itertuples(index=False)
    ]


def _events(connection: Connection, platform: str, version: str, since: datetime, until: datetime) -> pd.DataFrame:
    return read_frame(
        connection, "select_version_signature_events",
        {"platform": platform, "app_version": version, "since": since, "until": until},
        ["signature_id", "name", "error_code", "feature", "events"],
    )


def _active_days(connection: Connection, platform: str, version: str, since: datetime, until: datetime) -> int:
    params = {"platform": platform, "app_version": version, "since": since, "until": until}
    return int(connection.execute(statement("select_version_active_days"), params).scalar_one() or 0)


def _who_hit(connection: Connection, affected: pd.DataFrame, signatures: list[str], since: datetime) -> pd.DataFrame:
    query = statement("select_customers_exposed_since").bindparams(expanding_texts("signature_ids"))
    hit = {str(r[0]) for r in connection.execute(query, {"signature_ids": signatures, "since": since})}
    narrowed = affected.loc[affected["customer_id"].astype(str).isin(hit)].reset_index(drop=True)
    # No erroring customer of the version hit a symptom (exposure not yet aggregated): keep them all.
    return narrowed if not narrowed.empty else affected


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) or str(value) == "" else str(value)
