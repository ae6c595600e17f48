"""Plain values the report is built from: what the queries read and the template shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class ReportWindow:
    """The period a report covers, plus the longer context its charts show.

    ``start`` is inclusive and ``end`` (the report's as-of time) exclusive; ``trend_days`` is how
    many calendar days the sparklines cover, ending on ``end_day``.
    """

    end: datetime
    period_days: int
    context_days: int
    trend_days: int

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=self.period_days)

    @property
    def previous_start(self) -> datetime:
        return self.end - timedelta(days=2 * self.period_days)

    @property
    def context_start(self) -> datetime:
        return self.end - timedelta(days=self.context_days)

    @property
    def end_day(self) -> date:
        """The last calendar day inside the window (the end itself is exclusive)."""
        return (self.end - timedelta(microseconds=1)).date()

    def trend_days_list(self) -> list[date]:
        return [self.end_day - timedelta(days=offset) for offset in range(self.trend_days - 1, -1, -1)]


@dataclass(frozen=True)
class ExampleTicket:
    """One redacted ticket that shows what a pain point is about."""

    ticket_id: str
    text: str


@dataclass(frozen=True)
class LinkedIncident:
    """The incident (error signature or release) most strongly linked to a pain point."""

    incident_id: str
    kind: str
    name: str | None
    error_code: str | None
    platform: str | None
    app_version: str | None
    lift: float | None
    p_value: float | None
    strength: float | None


@dataclass(frozen=True)
class PainPoint:
    """A current pain point with its trend and the facts a product manager asks about."""

    pain_point_id: str
    label: str
    status: str
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    ticket_count: int
    customer_count: int
    mrr_at_risk: float | None
    key_terms: tuple[str, ...]
    examples: tuple[ExampleTicket, ...]
    trend: tuple[tuple[date, int], ...]
    tickets_this_period: int
    tickets_previous_period: int
    is_new: bool
    link: LinkedIncident | None
    campaign_count: int
    emailed_customers: int
    theme_label: str | None = None

    @property
    def outreach_ran(self) -> bool:
        return self.emailed_customers > 0


@dataclass(frozen=True)
class Incident:
    """A detected incident, with how long detection took."""

    incident_id: str
    kind: str
    name: str | None
    error_code: str | None
    feature: str | None
    platform: str | None
    app_version: str | None
    started_at: datetime
    detected_at: datetime
    customer_count: int
    event_count: int
    mrr_at_risk: float | None
    severity: float | None
    status: str
    evidence: tuple[tuple[str, str], ...]
    pain_point_labels: tuple[str, ...]

    @property
    def detection_lag(self) -> timedelta:
        return max(self.detected_at - self.started_at, timedelta(0))


@dataclass(frozen=True)
class Release:
    """Activity of one app version on one platform over the report period."""

    platform: str
    app_version: str
    active_customer_days: int
    error_events: int
    erroring_customer_days: int
    regression_incident_id: str | None

    @property
    def errors_per_active_customer(self) -> float:
        """Error events per active customer per day (0 when nobody was active)."""
        return self.error_events / self.active_customer_days if self.active_customer_days else 0.0

    @property
    def erroring_share(self) -> float:
        return self.erroring_customer_days / self.active_customer_days if self.active_customer_days else 0.0


@dataclass(frozen=True)
class CampaignOutcome:
    """Deflection measured against the holdout; any interval may still be missing."""

    measured_at: datetime | None
    window_days: int | None
    treated: int
    holdout: int
    treated_ticket_rate: float | None
    holdout_ticket_rate: float | None
    ci_low: float | None
    ci_high: float | None
    deflected_tickets: float | None
    deflected_ci_low: float | None
    deflected_ci_high: float | None
    treated_csat: float | None
    holdout_csat: float | None

    @property
    def rate_difference(self) -> float | None:
        """Holdout ticket rate minus treated ticket rate (positive: the email helped)."""
        if self.treated_ticket_rate is None or self.holdout_ticket_rate is None:
            return None
        return self.holdout_ticket_rate - self.treated_ticket_rate

    @property
    def has_interval(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None and self.rate_difference is not None


@dataclass(frozen=True)
class Campaign:
    """A campaign with its delivery funnel and, once measured, its outcome."""

    campaign_id: str
    topic: str
    status: str
    pain_point_id: str | None
    incident_id: str | None
    created_at: datetime | None
    approved_at: datetime | None
    approved_by: str | None
    audience_size: int
    holdout_size: int
    sent: int
    failed: int
    held_out: int
    delivered: int
    opened: int
    clicked: int
    bounced: int
    unsubscribed: int
    spam_reports: int
    outcome: CampaignOutcome | None
    # Follow-ups of the same incident folded into this campaign's figures (they are measured with it).
    follow_ups: int = 0


@dataclass(frozen=True)
class TableLoad:
    """Ingest figures for one warehouse table."""

    table_name: str
    runs: int
    failed_runs: int
    rows_loaded: int
    rows_quarantined: int
    max_timestamp: datetime | None
    last_finished_at: datetime | None

    def freshness(self, as_of: datetime) -> timedelta | None:
        """How far the newest loaded row lies behind the report time."""
        return None if self.max_timestamp is None else max(as_of - self.max_timestamp, timedelta(0))


@dataclass(frozen=True)
class QuarantineCount:
    """Rows of one table held back by one validation rule during the period."""

    table_name: str
    rule: str
    rows: int


@dataclass(frozen=True)
class DataQuality:
    loads: tuple[TableLoad, ...]
    quarantine: tuple[QuarantineCount, ...]

    @property
    def rows_loaded(self) -> int:
        return sum(load.rows_loaded for load in self.loads)

    @property
    def rows_quarantined(self) -> int:
        return sum(count.rows for count in self.quarantine)

    @property
    def is_empty(self) -> bool:
        return not self.loads and not self.quarantine


@dataclass(frozen=True)
class TicketVolume:
    this_period: int
    previous_period: int
    customers_total: int


@dataclass(frozen=True)
class Theme:
    """A coarse group of pain points, as the report lists it."""

    theme_id: str
    label: str
    pain_point_count: int
    ticket_count: int
    customer_count: int


@dataclass(frozen=True)
class CorrectionNote:
    """One correction a person made, worded for the report."""

    at: datetime
    by: str
    action: str
    summary: str


@dataclass(frozen=True)
class RenameNote:
    """A pain point a run named otherwise than the run before, because its tickets' words changed."""

    at: datetime
    pain_point_id: str
    before: str
    after: str


@dataclass(frozen=True)
class Steering:
    """Themes over the pain points, what people corrected (muted pain points are only counted), and the
    names the runs themselves changed in the report's period."""

    themes: tuple[Theme, ...]
    corrections: tuple[CorrectionNote, ...]
    muted_count: int
    renamed: tuple[RenameNote, ...] = ()


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows, read from the warehouse at one point in time."""

    window: ReportWindow
    pain_points: tuple[PainPoint, ...]
    incidents: tuple[Incident, ...]
    releases: tuple[Release, ...]
    campaigns: tuple[Campaign, ...]
    quality: DataQuality
    tickets: TicketVolume
    steering: Steering | None = None

    @property
    def new_pain_points(self) -> tuple[PainPoint, ...]:
        return tuple(point for point in self.pain_points if point.is_new)
