"""A backtest as readable text: what was found when, and how it scores against the truth."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.backtest import BacktestResult


def format_result(result: BacktestResult, max_pain_points: int = 15) -> str:
    """The whole backtest as aligned plain-text tables."""
    replay = result.replay
    lines = [
        f"backtest of {result.source}, {result.start} .. {result.end}: {len(replay.days)} {_runs(result)}, "
        f"embedder {result.embedder}",
        "seconds: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in replay.stage_seconds().items()),
        "",
        "incidents (first found by the run as of, kind, subject, started, customers)",
    ]
    incidents = sorted(replay.incidents.items(), key=lambda item: (item[1]["first_as_of"], item[0]))
    lines += _table(
        [
            (_day(row["first_as_of"]), row["kind"], _subject(row), str(row["started_at"])[:16], row["customer_count"], i)
            for i, row in incidents
        ],
        ("first found", "kind", "subject", "started", "customers", "incident"),
    )
    pain_points = sorted(replay.pain_points.items(), key=lambda item: -int(item[1]["ticket_count"] or 0))
    lines += ["", f"pain points: {len(pain_points)} (the {min(max_pain_points, len(pain_points))} largest below)"]
    lines += _table(
        [(_day(row["first_as_of"]), row["ticket_count"], row["status"], row["label"], i)
         for i, row in pain_points[:max_pain_points]],
        ("first found", "tickets", "status", "label", "pain point"),
    )
    reached = {customer for _, customer in replay.reached}
    lines += ["", f"links ever made: {len(replay.links)}; customers of incidents linked to a pain point: {len(reached)} "
                  "(the linked audience, not the emails sent: those are under outreach)"]
    if result.score is not None:
        lines += ["", *_score_lines(result.score)]
    lines += ["", *_outreach_lines(result.outreach, result.deflection)]
    return "\n".join(lines)


def _runs(result: BacktestResult) -> str:
    hours = result.every.total_seconds() / 3600
    return "daily runs" if hours == 24 else f"runs every {hours:g} h"


def _outreach_lines(outreach: dict, deflection: list[dict]) -> list[str]:
    lines = ["outreach per found incident (evidence, detected, first email, hours evidence -> email, approvals asked)"]
    lines += _table(
        [(f["incident_id"], f["kind"], _stamp(f["evidence_at"]), _stamp(f["detected_at"]), _stamp(f["first_email_at"]),
          _num(f["hours_evidence_to_first_email"]), f["approvals_asked"], f["emails_sent"])
         for f in outreach.get("found_incidents", [])],
        ("incident", "kind", "evidence", "detected", "first email", "h to email", "approvals", "emails"),
    )
    summary = outreach.get("summary")
    if summary:
        lines += ["", "outreach per injected incident"]
        lines += _table(
            [(i["true_incident_id"], i["kind"], i["subject"], _stamp(i["true_start"]), _stamp(i["first_email_at"]),
              _num(i["hours_evidence_to_first_email"]),
              f"{i['reached_before_ticket']}/{i['writers_could_be_emailed']}", _num(i["precision"]),
              _num(i["coverage"]), i["emailed_after_writing"], i["approvals_asked"], i["tickets_not_written"])
             for i in outreach["injected_incidents"]],
            ("truth", "kind", "subject", "started", "first email", "h evidence->email", "reached first",
             "precision", "coverage", "after writing", "approvals", "not written"),
        )
        lines.append(
            f"reach-before-ticket {_num(summary['reach_before_ticket'])} ({summary['reached_before_ticket']} of "
            f"{summary['writers_could_be_emailed']} writers who could be emailed); median "
            f"{_num(summary['median_hours_evidence_to_first_email'])} h from first evidence to first email; precision "
            f"{_num(summary['precision'])}; {summary['emailed_after_writing']} emails to customers who had already written; "
            f"{summary['false_incidents']} false incidents ({summary['emails_about_false_incidents']} emails)"
        )
    if deflection:
        lines += ["", "deflection measured against the holdout (holdout - treated ticket rate, 95% interval; true)"]
        lines += _table(
            [(o["campaign_id"], o["treated"], o["holdout"], _num(_round(o["measured_difference"])),
              f"[{_num(_round(o['ci_low']))}, {_num(_round(o['ci_high']))}]" if o["ci_low"] is not None else "not enough data",
              _num(o["true_difference"]), _num(o["ticket_recall"]), _num(o["true_difference_as_measured"]))
             for o in deflection],
            ("campaign", "treated", "holdout", "measured", "95% interval", "true", "ticket recall", "true as measured"),
        )
    return lines


def _stamp(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "-"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _score_lines(score: dict) -> list[str]:
    summary = score["summary"]
    lines = [
        f"score: found {summary['found']}/{summary['injected']} injected incidents, kind right for "
        f"{summary['kind_ok']}, linked to the right pain point for {summary['linked_to_right_pain_point']}, "
        f"{summary['false_incidents']} false incidents",
    ]
    lines += _table(
        [
            (
                i["incident_id"], i["kind"], i["subject"], "yes" if i["found"] else "NO",
                "/".join(sorted({m["kind"] for m in i["matched"]})) or "-",
                _num(i["delay_detected_hours"]), _num(i["delay_reported_hours"]),
                _num(i["recall"]), _num(i["precision"]),
                f"{i['right_pain_point'] or '-'} {(i['right_pain_point_label'] or '')[:28]}".strip(),
                "yes" if i["linked"] else "NO",
                f"{i['reached_before_writing']}/{i['writers']}",
            )
            for i in score["incidents"]
        ],
        ("truth", "kind", "subject", "found", "found as", "delay h", "known h", "recall", "precision",
         "right pain point", "linked", "in audience first"),
    )
    if score["false_incidents"]:
        lines += ["", "false incidents (no injected incident matches)"]
        lines += _table(
            [(f["incident_id"], f["kind"], f["error_code"] or f"{f['platform']} {f['app_version']}",
              f["started_at"][:16], f["customers"]) for f in score["false_incidents"]],
            ("incident", "kind", "subject", "started", "customers"),
        )
    quality = score["pain_points"]
    lines += [
        "",
        f"pain points vs truth: NMI {_num(quality['nmi'])}, ARI {_num(quality['ari'])}, "
        f"{quality['assigned']}/{quality['tickets']} tickets assigned (unassigned share {_num(quality['unassigned_share'])}), "
        f"{quality['pain_points']} pain points for {quality.get('true_pain_points', '?')} true ones",
    ]
    outreach = score["outreach"]
    lines.append(
        f"linked audience (customers of incidents linked to a pain point, not the emails sent; those are scored "
        f"under outreach): {outreach['emailed_customers']} customers, {outreach['emailed_truly_affected']} of them "
        f"truly affected; {summary['reached_before_writing']} of {summary['writers']} affected customers who "
        "wrote in were in it before they wrote"
    )
    return lines


def _table(rows: Sequence[tuple], header: tuple[str, ...]) -> list[str]:
    if not rows:
        return ["  (none)"]
    cells = [tuple(str(v) for v in row) for row in [header, *rows]]
    widths = [max(len(row[c]) for row in cells) for c in range(len(header))]
    return ["  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]


def _subject(row: dict) -> str:
    if row["kind"] == "release_regression":
        return f"{row['platform']} {row['app_version']}"
    where = row["platform"] or "all platforms"
    return f"{row['error_code'] or row['name'] or '?'} ({where})"


def _day(value: object) -> str:
    return str(value)[:10]


def _num(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)
