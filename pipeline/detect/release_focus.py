"""Spikes and new signatures that are about one app release: their events sit on it beyond its rollout.

A bad build's crashes often show up as a spike of the crash signature hours or days before the release
test has enough active customers on the new version to flag it (a desktop release reaches a third of its
users in a day). Such a spike is about that build: its workaround is written for that version, and a
support lead reads "Windows 3.10.0" in the campaign. But every incident's events sit on *some* version:
on the web everybody runs the same one, so "all events on 4.33.0" says nothing there. A release is taken
as the incident's own only when the events on its platform fall on it far more often than its share of
that platform's active customers predicts: a one-sided binomial test, P(X >= events on the release) with
X ~ Binomial(events on the platform, the release's share of the platform's active customer-days over the
incident's days), at most ``release_focus_max_p_value``.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from scipy import stats
from sqlalchemy import Connection

from detectors.incidents import canonical_version
from pipeline.detect.found import Found
from pipeline.detect.regressions import Explainer
from pipeline.warehouse.frames import read_frame

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReleaseFocus:
    """The release an incident is about, and the evidence for it."""

    platform: str
    app_version: str  # as the events spell it (workarounds match it as written)
    events_on_release: int
    events_on_platform: int
    active_share: float
    p_value: float

    def as_evidence(self) -> dict[str, object]:
        return {**dataclasses.asdict(self), "active_share": round(self.active_share, 4)}


def focus_on_releases(
    connection: Connection, found: list[Found], ids: list[str], explainers: list[Explainer], as_of: datetime,
    max_p_value: float,
) -> list[Found]:
    """``found`` with each spike or new signature that is about one release carrying that release as its
    platform and version (and the test in its evidence); every other finding unchanged."""
    on_release = {e.label: e for e in explainers if e.release is not None}
    focused = []
    for item, incident_id in zip(found, ids, strict=True):
        explainer = on_release.get(incident_id)
        focus = _focus(connection, explainer, as_of) if explainer is not None and not item.finding.app_version else None
        if focus is None or focus.p_value > max_p_value:
            focused.append(item)
            continue
        log.info("%s %s (%s) is about %s %s: %s of %s events there on a release %.0f%% of its customers run (p=%.2g)",
                 item.finding.kind, item.finding.error_code, incident_id, focus.platform, focus.app_version,
                 focus.events_on_release, focus.events_on_platform, 100 * focus.active_share, focus.p_value)
        finding = dataclasses.replace(
            item.finding, platform=item.finding.platform or focus.platform, app_version=focus.app_version,
            evidence={**item.finding.evidence, "release_focus": focus.as_evidence()},
        )
        focused.append(Found(finding, item.affected, item.signatures, item.message_pattern))
    return focused


def _focus(connection: Connection, explainer: Explainer, as_of: datetime) -> ReleaseFocus | None:
    """The binomial test of the explainer's events on its main release against that release's rollout."""
    assert explainer.release is not None
    platform, version = explainer.release
    since = pd.Timestamp(explainer.started_at).floor("D").to_pydatetime()
    events = read_frame(
        connection, "select_signature_release_events",
        {"signature_ids": list(explainer.signatures), "since": explainer.started_at, "as_of": as_of},
        ["platform", "app_version", "event_count"], expanding=["signature_ids"],
    )
    active = read_frame(connection, "select_platform_version_activity", {"platform": platform, "since": since, "as_of": as_of},
                        ["platform", "app_version", "active_customers"])
    events = _on_platform(events, platform)
    active = _on_platform(active, platform)
    mine = events[events["release"] == version]
    total_active = float(active["active_customers"].sum())
    if mine.empty or total_active <= 0:
        return None
    share = float(active.loc[active["release"] == version, "active_customers"].sum()) / total_active
    k, n = int(mine["event_count"].sum()), int(events["event_count"].sum())
    label = str(mine.sort_values(["event_count", "app_version"], ascending=[False, True])["app_version"].iloc[0])
    p_value = float(stats.binom.sf(k - 1, n, min(share, 1.0))) if share > 0 else 0.0
    return ReleaseFocus(platform, label, k, n, share, p_value)


def _on_platform(frame: pd.DataFrame, platform: str) -> pd.DataFrame:
    """Rows of ``platform`` (compared as lowercased text) with their canonical ``release`` version."""
    frame = frame[frame["platform"].fillna("").astype(str).str.strip().str.lower() == platform].copy()
    frame["release"] = [canonical_version(v) for v in frame["app_version"]]
    return frame
