"""Build a whole synthetic world: customers, releases, incidents, events, tickets, workarounds and the truth."""

from __future__ import annotations

import logging
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from pipeline.simulate.catalog import SIGNATURE_INDEX, SIGNATURES
from pipeline.simulate.clock import MS_PER_DAY, epoch_ms, iso_text, to_datetime, weekday_factors
from pipeline.simulate.dirt import DirtyRow
from pipeline.simulate.event_files import EventFileWriter
from pipeline.simulate.events import EventModel
from pipeline.simulate.exposure import Exposure, ExposureLog
from pipeline.simulate.incidents import PlannedIncident, plan_timeline
from pipeline.simulate.output import prepare_folder, write_json, write_manifest
from pipeline.simulate.population import Population, build_population
from pipeline.simulate.product_profile import write_product_profile
from pipeline.simulate.randomness import generator, text_random
from pipeline.simulate.releases import ReleaseSchedule
from pipeline.simulate.settings import IncidentTruth, SignatureTruth, WorldSettings, WorldSummary
from pipeline.simulate.table_files import write_csv, write_customers, write_tickets
from pipeline.simulate.tickets import BACKGROUND_TOPICS, Ticket, build_tickets
from pipeline.simulate.workarounds import incident_workaround_id, write_workarounds

log = logging.getLogger(__name__)
TICKET_EXPORT_SPLIT_SHARE = 0.55  # the helpdesk migration happens after this share of the days


def simulate_world(settings: WorldSettings, out_dir: Path, progress: bool = False) -> WorldSummary:
    """Write a synthetic world in the input contract, plus ``truth/``, into ``out_dir``.

    Raises:
        OutputFolderError: ``out_dir`` holds something other than a previous simulation.
    """
    out_dir = Path(out_dir)
    prepare_folder(out_dir)
    manifest_settings = _settings_record(settings)
    write_manifest(out_dir, manifest_settings, {}, complete=False)
    start_ms = epoch_ms(settings.start)
    population = build_population(settings.customers, start_ms, settings.days, generator(settings.seed, "customers"))
    schedule, incidents = plan_timeline(population, start_ms, settings.days, generator(settings.seed, "incidents"),
                                       settings.incidents, settings.incident_profile)
    events, exposures = _write_events(settings, out_dir, population, schedule, incidents, start_ms, progress)
    tickets = build_tickets(population, schedule, incidents, exposures, start_ms, settings.days,
                            generator(settings.seed, "tickets"), text_random(settings.seed, "text"))
    files, dirty = dict(events.rows_per_file_written), list(events.dirty_rows)
    customer_rows, customer_dirty = write_customers(out_dir, population, _dirt(settings, 0))
    split_ms = start_ms + round(TICKET_EXPORT_SPLIT_SHARE * settings.days) * MS_PER_DAY
    ticket_rows, ticket_dirty, ticket_truth = write_tickets(out_dir, tickets, population, split_ms, _dirt(settings, 1))
    files = {"customers.csv": customer_rows, **ticket_rows, **files}
    dirty = customer_dirty + ticket_dirty + dirty
    notes = [*write_workarounds(out_dir / "workarounds", incidents), write_product_profile(out_dir)]
    truths = [_incident_truth(i, n, exposures.incident(n), population, schedule, tickets) for n, i in enumerate(incidents)]
    _write_truth(out_dir, truths, ticket_truth, dirty, schedule)
    write_manifest(out_dir, manifest_settings, {**files, **dict.fromkeys(notes)}, complete=True)
    log.info("simulated %s customers, %s tickets, %s events, %s dirty rows into %s",
             population.size, len(tickets), events.clean_rows, len(dirty), out_dir)
    return WorldSummary(out_dir=str(out_dir), settings=settings, rows_per_file=files, incidents=tuple(truths),
                        dirty_rows=len(dirty), workaround_files=tuple(notes))


def _settings_record(settings: WorldSettings) -> dict[str, object]:
    record = asdict(settings)
    record["start"] = settings.start.isoformat()
    record["incidents"] = list(settings.incidents)
    record["affected_share"] = list(settings.affected_share)
    return record


def _dirt(settings: WorldSettings, *keys: int) -> np.random.Generator | None:
    return generator(settings.seed, "dirt", *keys) if settings.dirty else None


def _write_events(
    settings: WorldSettings, out_dir: Path, population: Population, schedule: ReleaseSchedule,
    incidents: list[PlannedIncident], start_ms: int, progress: bool,
) -> tuple[EventFileWriter, ExposureLog]:
    factors = weekday_factors(settings.start, settings.days)
    model = EventModel(population, schedule, incidents, settings.events_per_customer_day, float(factors.mean()))
    tracked = sorted({SIGNATURE_INDEX[t.signature_key] for t in BACKGROUND_TOPICS if t.signature_key})
    exposures = ExposureLog(len(incidents), tracked)
    writer = EventFileWriter(out_dir, population.ids, schedule.versions, settings.events_rows_per_file)
    days = tqdm(range(settings.days), desc="events", unit="day", disable=not progress, file=sys.stderr)
    for day in days:
        batch = model.day(start_ms + day * MS_PER_DAY, float(factors[day]), generator(settings.seed, "events", day))
        exposures.record(batch)
        writer.write(batch, _dirt(settings, 2, day))
        days.set_postfix(events=writer.clean_rows, refresh=False)
    writer.finish()
    return writer, exposures


def _incident_truth(
    incident: PlannedIncident, number: int, exposure: Exposure, population: Population, schedule: ReleaseSchedule,
    tickets: list[Ticket],
) -> IncidentTruth:
    signature = SIGNATURES[incident.signature_index]
    bad = incident.bad_release
    platform = bad.platform if bad else (signature.platforms[0] if len(signature.platforms) == 1 else None)
    return IncidentTruth(
        incident_id=incident.incident_id,
        kind=incident.kind,
        started_at=to_datetime(incident.started_ms),
        ended_at=to_datetime(incident.ended_ms),
        signature=SignatureTruth(signature.name, signature.error_code, signature.feature, platform,
                                 bad.version if bad else None, signature.message),
        affected_customer_ids=tuple(str(c) for c in population.ids[exposure.customers]),
        ticket_pain_point=incident.ticket_pain_point,
        workaround_id=incident_workaround_id(incident),
        ticket_count=sum(1 for t in tickets if t.incident_id == incident.incident_id),
    )


def _write_truth(
    out_dir: Path, truths: list[IncidentTruth], ticket_truth: pd.DataFrame, dirty: list[DirtyRow],
    schedule: ReleaseSchedule,
) -> None:
    write_json(out_dir / "truth" / "incidents.json", [_incident_record(t) for t in truths])
    write_csv(ticket_truth, out_dir / "truth" / "ticket_pain_points.csv")
    write_csv(pd.DataFrame([asdict(row) for row in dirty], columns=["file", "row_number", "problem", "column"]),
              out_dir / "truth" / "dirty_rows.csv")
    releases = pd.DataFrame({
        "platform": [r.platform for r in schedule.releases],
        "app_version": [r.version for r in schedule.releases],
        "released_at": [iso_text(to_datetime(r.released_ms)) for r in schedule.releases],
        "rollout": [r.curve for r in schedule.releases],
    })
    write_csv(releases, out_dir / "truth" / "releases.csv")


def _incident_record(truth: IncidentTruth) -> dict[str, object]:
    return {
        "incident_id": truth.incident_id,
        "kind": truth.kind,
        "started_at": iso_text(truth.started_at),
        "ended_at": iso_text(truth.ended_at),
        "signature": asdict(truth.signature),
        "affected_customer_ids": list(truth.affected_customer_ids),
        "ticket_pain_point": truth.ticket_pain_point,
        "workaround_id": truth.workaround_id,
        "affected_customer_count": len(truth.affected_customer_ids),
        "ticket_count": truth.ticket_count,
    }
