"""The backtest's outreach section as one self-contained HTML page (no script; escaped; prints)."""

from __future__ import annotations

from pathlib import Path

from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Forewarn backtest: reaching customers before they write</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}td.n{text-align:right}h2{margin-top:1.5em}</style>
</head><body>
<h1>Outreach replay</h1>
<p>{{ d.source }}, {{ d["from"] }} to {{ d["to"] }}, a run every {{ d.every_hours }} h ({{ d.days|length }} runs);
email effect {{ d.settings.email_effect }}, approve after {{ d.settings.approve_after_hours if d.settings.approve_after_hours is not none else "policy only" }} h.</p>
{% set s = d.outreach.summary %}
{% if s %}
<h2 id="summary">Summary</h2>
<table id="summary-table">
<tr><th>reach-before-ticket</th><td class="n" data-field="reach_before_ticket">{{ s.reach_before_ticket }}</td>
<td>{{ s.reached_before_ticket }} of {{ s.writers_could_be_emailed }} writers who could be emailed</td></tr>
<tr><th>reach-before-ticket of those who wrote after the first run</th><td class="n" data-field="reach_before_ticket_after_first_run">{{ s.reach_before_ticket_after_first_run }}</td>
<td>{{ s.writers_before_first_run }} wrote before the replay's first run, when nothing could have told them</td></tr>
<tr><th>median hours from first evidence to first email</th><td class="n" data-field="median_hours_evidence_to_first_email">{{ s.median_hours_evidence_to_first_email }}</td><td></td></tr>
<tr><th>audience precision</th><td class="n" data-field="precision">{{ s.precision }}</td><td>{{ s.emailed }} emailed</td></tr>
<tr><th>emails to customers who had already written</th><td class="n" data-field="emailed_after_writing">{{ s.emailed_after_writing }}</td><td></td></tr>
<tr><th>most approvals asked for one incident</th><td class="n" data-field="max_approvals_asked_per_incident">{{ s.max_approvals_asked_per_incident }}</td><td></td></tr>
<tr><th>tickets not written after an email</th><td class="n" data-field="tickets_not_written">{{ s.tickets_not_written }}</td><td></td></tr>
<tr><th>incidents found that match no true one</th><td class="n" data-field="false_incidents">{{ s.false_incidents }}</td><td>{{ s.emails_about_false_incidents }} emails about them</td></tr>
</table>
<h2 id="injected">Per injected incident</h2>
<table id="injected-table"><tr>{% for c, header in injected_columns %}<th>{{ header }}</th>{% endfor %}</tr>
{% for i in d.outreach.injected_incidents %}<tr data-incident="{{ i.true_incident_id }}">
{% for c, header in injected_columns %}{{ cell(c, i[c]) }}{% endfor %}</tr>
{% endfor %}</table>
{% endif %}
<h2 id="found">Per found incident</h2>
<table id="found-table"><tr>{% for c, header in found_columns %}<th>{{ header }}</th>{% endfor %}</tr>
{% for i in d.outreach.found_incidents %}<tr data-incident="{{ i.incident_id }}">
{% for c, header in found_columns %}{{ cell(c, i[c]) }}{% endfor %}</tr>
{% endfor %}</table>
<h2 id="deflection">Deflection measured against the holdout</h2>
{% if d.deflection %}<table id="deflection-table"><tr><th>campaign</th><th>treated</th><th>holdout</th>
<th>holdout - treated</th><th>95% interval</th><th>true difference (simulated)</th>
<th>share of the incident's tickets the measure counts</th><th>true difference as the measure counts</th></tr>
{% for o in d.deflection %}<tr data-campaign="{{ o.campaign_id }}"><td>{{ o.campaign_id }}</td><td class="n">{{ o.treated }}</td>
<td class="n">{{ o.holdout }}</td><td class="n">{{ fmt(o.measured_difference) }}</td>
<td>{% if o.ci_low is not none %}[{{ fmt(o.ci_low) }}, {{ fmt(o.ci_high) }}]{% else %}not enough data{% endif %}</td>
<td class="n">{{ fmt(o.true_difference) }}</td><td class="n">{{ fmt(o.ticket_recall) }}</td>
<td class="n">{{ fmt(o.true_difference_as_measured) }}</td></tr>{% endfor %}</table>
{% else %}<p>No campaign's measurement window ({{ d.settings.measure_window_days }} days) ended within the replay.</p>{% endif %}
</body></html>
"""

# (JSON field, column header): a reader sees words, the page keeps each field's name for tools and tests.
INJECTED_COLUMNS = (
    ("true_incident_id", "true incident"), ("kind", "kind"), ("subject", "subject"), ("true_start", "began"),
    ("evidence_at", "first evidence"), ("detected_at", "found by the run of"), ("first_email_at", "first email"),
    ("hours_evidence_to_first_email", "hours from evidence to email"),
    ("writers_could_be_emailed", "writers who could be emailed"), ("reached_before_ticket", "reached before writing"),
    ("reach_before_ticket", "reach-before-ticket"), ("writers_before_first_run", "wrote before the first run"),
    ("emailed", "emailed"), ("precision", "precision"), ("coverage", "coverage"),
    ("emailed_after_writing", "emailed after writing"), ("approvals_asked", "approvals asked"),
    ("tickets_not_written", "tickets not written"),
)
FOUND_COLUMNS = (
    ("incident_id", "incident"), ("kind", "kind"), ("started_at", "began"), ("evidence_at", "first evidence"),
    ("detected_at", "found by the run of"), ("first_found_as_of", "first found as of"),
    ("first_email_at", "first email"), ("hours_evidence_to_first_email", "hours from evidence to email"),
    ("campaigns", "campaigns"), ("approvals_asked", "approvals asked"), ("emails_sent", "emails sent"),
    ("held_out", "held out"),
)
_TIMES = {"true_start", "evidence_at", "detected_at", "first_email_at", "started_at", "first_found_as_of"}


def render_html(document: dict) -> str:
    """The page for a backtest's JSON document (``BacktestResult.as_dict()``)."""
    env = SandboxedEnvironment(autoescape=True)
    template = env.from_string(_TEMPLATE)
    return template.render(d=document, injected_columns=INJECTED_COLUMNS, found_columns=FOUND_COLUMNS, fmt=_fmt,
                           cell=_cell)


def write_html(document: dict, path: Path) -> None:
    """Write ``render_html`` to ``path`` (folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(document), encoding="utf-8")


def _cell(field: str, value: object) -> Markup:
    """One table cell: times to the minute ("2026-01-12 01:00"), the exact value kept in ``data-value``."""
    if value is None:
        return Markup('<td data-field="{}">-</td>').format(field)
    if field in _TIMES and isinstance(value, str) and len(value) >= 16:
        return Markup('<td data-field="{}" data-value="{}">{}</td>').format(field, value, value[:16].replace("T", " "))
    return Markup('<td data-field="{}">{}</td>').format(field, value)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
