"""Support tickets: everyday pain points, the long tail, and affected customers writing in about incidents."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from pipeline.simulate.catalog import PLATFORMS, SIGNATURE_INDEX, SIGNATURES
from pipeline.simulate.clock import (
    MS_PER_DAY,
    MS_PER_HOUR,
    TICKET_HOURLY_PROFILE,
    to_datetime,
    weekday_factors,
)
from pipeline.simulate.exposure import Exposure, ExposureLog
from pipeline.simulate.incidents import PlannedIncident
from pipeline.simulate.names import FIRST_NAMES, LAST_NAMES, LOCALES, ascii_slug
from pipeline.simulate.population import PLANS, Population
from pipeline.simulate.releases import ReleaseSchedule
from pipeline.simulate.ticket_topics import Phrases, TicketTopic
from pipeline.simulate.ticket_writer import Style, Voice, write_ticket
from pipeline.simulate.topics_account import ACCOUNT_TOPICS
from pipeline.simulate.topics_oneoff import ONE_OFF_ACTIONS, ONE_OFF_FORMS, ONE_OFF_SUBJECTS
from pipeline.simulate.topics_product import PRODUCT_TOPICS

BACKGROUND_TOPICS: tuple[TicketTopic, ...] = ACCOUNT_TOPICS + PRODUCT_TOPICS
TICKETS_PER_CUSTOMER_WEEK = 1 / 16
ONE_OFF_SHARE = 0.07
LINKED_SHARE = 0.6  # of a topic's tickets, from people who just hit its everyday signature
CHANNELS = ("email", "web", "chat", "phone")
CHANNEL_SHARE = np.array([0.45, 0.30, 0.20, 0.05])
PLAN_TICKET_WEIGHT = np.array([0.6, 1.0, 1.6, 2.2])
_CSAT_BACKGROUND = np.array([0.05, 0.07, 0.15, 0.33, 0.40])
_CSAT_INCIDENT = np.array([0.15, 0.20, 0.25, 0.25, 0.15])


@dataclass(frozen=True)
class Ticket:
    """One clean ticket with its truth (pain-point key and incident id, '' for background)."""

    customer: int
    created_ms: int
    subject: str
    body: str
    channel: str
    status: str
    tags: str
    csat: str
    priority: str
    pain_point: str
    incident_id: str


@dataclass(frozen=True)
class _Draft:
    customer: int
    created_ms: int
    topic: TicketTopic
    incident: PlannedIncident | None
    platform: int
    version: int  # -1 when unknown
    signature: int  # -1 when none


def build_tickets(
    population: Population,
    schedule: ReleaseSchedule,
    incidents: list[PlannedIncident],
    exposures: ExposureLog,
    start_ms: int,
    days: int,
    rng: np.random.Generator,
    rnd: random.Random,
) -> list[Ticket]:
    """All clean tickets of the world, in time order (ties by customer)."""
    end_ms = start_ms + days * MS_PER_DAY
    drafts: list[_Draft] = []
    for number, incident in enumerate(incidents):
        drafts += _incident_drafts(incident, exposures.incident(number), end_ms, population, rng)
    drafts += _background_drafts(population, schedule, exposures, start_ms, days, rng)
    drafts.sort(key=lambda d: (d.created_ms, d.customer, d.topic.key))
    long_bodies = set(rng.choice(len(drafts), size=max(1, round(0.006 * len(drafts))), replace=False).tolist()) if drafts else set()
    return [_ticket(draft, index in long_bodies, population, schedule, end_ms, rng, rnd) for index, draft in enumerate(drafts)]


def incident_topic(incident: PlannedIncident) -> TicketTopic:
    """The ticket topic of an incident: its template's phrasing under the key ``incident:<id>``."""
    template = incident.template
    return TicketTopic(key=incident.ticket_pain_point, weight=0, tags=template.tags, en=template.en,
                       translations=template.translations, signature_key=template.signature_key)


def _incident_drafts(
    incident: PlannedIncident, exposure: Exposure, end_ms: int, population: Population, rng: np.random.Generator
) -> list[_Draft]:
    topic = incident_topic(incident)
    writes = rng.random(exposure.customers.size) < incident.ticket_share
    # People write in hours to days after they first hit it; at night they wait for the morning.
    delay = np.clip(rng.lognormal(np.log(6 * MS_PER_HOUR), 1.1, exposure.customers.size), 15 * 60_000, 5 * MS_PER_DAY)
    created = _to_office_hours(exposure.first_ms + delay.astype(np.int64), exposure.customers, population, rng)
    return [
        _Draft(int(exposure.customers[i]), int(created[i]), topic, incident, int(exposure.platform[i]),
               int(exposure.version[i]), incident.signature_index)
        for i in np.flatnonzero(writes & (created < end_ms))
    ]


def _background_drafts(
    population: Population, schedule: ReleaseSchedule, exposures: ExposureLog, start_ms: int, days: int,
    rng: np.random.Generator,
) -> list[_Draft]:
    end_ms = start_ms + days * MS_PER_DAY
    count = int(rng.poisson(population.size * days / 7 * TICKETS_PER_CUSTOMER_WEEK))
    weights = np.array([topic.weight for topic in BACKGROUND_TOPICS], dtype=float)
    weights = weights / weights.sum() * (1 - ONE_OFF_SHARE)
    choice = rng.choice(len(weights) + 1, size=count, p=np.r_[weights, ONE_OFF_SHARE])
    customers, times = _random_writers(population, count, start_ms, days, rng)
    one_offs = rng.integers(len(ONE_OFF_ACTIONS), size=count)
    linked_roll = rng.random(count)
    drafts = []
    for i in range(count):
        topic = BACKGROUND_TOPICS[choice[i]] if choice[i] < len(BACKGROUND_TOPICS) else _one_off(int(one_offs[i]), rng)
        customer, created, platform, signature = int(customers[i]), int(times[i]), -1, -1
        if topic.signature_key and linked_roll[i] < LINKED_SHARE:
            hit = _recent_hit(exposures, SIGNATURE_INDEX[topic.signature_key], rng)
            if hit is not None:
                customer, created, platform = hit
                signature = SIGNATURE_INDEX[topic.signature_key]
        created = max(created, int(population.created_ms[customer]) + MS_PER_HOUR)
        if created >= end_ms:
            continue
        platform = int(population.primary_platform[customer]) if platform < 0 else platform
        drafts.append(_Draft(customer, created, topic, None, platform, -1, signature))
    return drafts


def _one_off(index: int, rng: np.random.Generator) -> TicketTopic:
    slug, action = ONE_OFF_ACTIONS[index]
    forms = rng.permutation(len(ONE_OFF_FORMS))[:2]
    phrases = Phrases(
        subjects=tuple(s.replace("{action}", action) for s in ONE_OFF_SUBJECTS),
        symptoms=tuple(ONE_OFF_FORMS[int(f)].replace("{action}", action) for f in forms),
        asks=("Thanks!", "Thanks a lot."),
    )
    return TicketTopic(key=f"one_off:{slug}", weight=0, tags=("question",), en=phrases, pii=("email",))


def _random_writers(
    population: Population, count: int, start_ms: int, days: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    weight = np.sqrt(population.activity) * PLAN_TICKET_WEIGHT[population.plan]
    customers = rng.choice(population.size, size=count, p=weight / weight.sum())
    day_weight = weekday_factors(to_datetime(start_ms).date(), days)
    day = rng.choice(days, size=count, p=day_weight / day_weight.sum())
    local_hour = rng.choice(24, size=count, p=TICKET_HOURLY_PROFILE)
    utc_hour = (local_hour - population.utc_offset_hours[customers]) % 24
    times = start_ms + day * MS_PER_DAY + utc_hour.astype(np.int64) * MS_PER_HOUR + rng.integers(0, MS_PER_HOUR, count)
    return customers, times


def _recent_hit(exposures: ExposureLog, signature: int, rng: np.random.Generator) -> tuple[int, int, int] | None:
    events = exposures.everyday(signature)
    if not len(events):
        return None
    pick = int(rng.integers(len(events)))
    delay = int(np.clip(rng.lognormal(np.log(3 * MS_PER_HOUR), 1.0), 10 * 60_000, 3 * MS_PER_DAY))
    return int(events.customer[pick]), int(events.t_ms[pick]) + delay, int(events.platform[pick])


def _to_office_hours(times: np.ndarray, customers: np.ndarray, population: Population, rng: np.random.Generator) -> np.ndarray:
    local_hour = ((times // MS_PER_HOUR) + population.utc_offset_hours[customers]) % 24
    night = local_hour < 7
    morning = (7 - local_hour + rng.integers(0, 3, times.size)) * MS_PER_HOUR + rng.integers(0, MS_PER_HOUR, times.size)
    return np.where(night, times + morning, times)


def _ticket(
    draft: _Draft, long_body: bool, population: Population, schedule: ReleaseSchedule, end_ms: int,
    rng: np.random.Generator, rnd: random.Random,
) -> Ticket:
    c = draft.customer
    locale = LOCALES[population.locale[c]]
    language = locale if locale in draft.topic.translations and rnd.random() < 0.65 else "en"
    channel = CHANNELS[int(rng.choice(len(CHANNELS), p=CHANNEL_SHARE))]
    signature = SIGNATURES[draft.signature] if draft.signature >= 0 else None
    version = schedule.versions[draft.version] if draft.version >= 0 else ""
    kind = draft.incident.kind if draft.incident else ""
    voice = Voice(
        language=language, channel=channel, first_name=population.first_names[c], email=population.emails[c],
        colleague_email=_colleague(population.emails[c], locale, rnd), platform=PLATFORMS[draft.platform],
        plan=PLANS[population.plan[c]], seats=int(population.seats[c]), version=version,
        code=signature.error_code if signature else "", message=signature.message if signature else "",
    )
    style = Style(
        mention_code={"spike": 0.35, "new_signature": 0.45, "release_regression": 0.2}.get(kind, 0.15),
        mention_platform=0.5 if kind == "release_regression" else 0.15,
        mention_version=0.45 if kind == "release_regression" else 0.0,
        pii_kinds=_pii_kinds(draft.topic, rnd),
        html=channel == "email" and rnd.random() < 0.2,
        log_chars=rnd.randint(4_000, 19_000) if long_body else 0,
    )
    subject, body = write_ticket(draft.topic.phrases(language), voice, style, rnd)
    status = _status(end_ms - draft.created_ms, rng)
    csat = ""
    if status in ("solved", "closed") and rng.random() < 0.4:
        csat = str(1 + int(rng.choice(5, p=_CSAT_INCIDENT if draft.incident else _CSAT_BACKGROUND)))
    return Ticket(
        customer=c, created_ms=draft.created_ms, subject=subject, body=body, channel=channel, status=status,
        tags=_tags(draft, rnd), csat=csat, priority=_priority(draft, population, rnd),
        pain_point=draft.topic.key, incident_id=draft.incident.incident_id if draft.incident else "",
    )


def _colleague(email: str, locale: str, rnd: random.Random) -> str:
    domain = email.partition("@")[2]
    first = ascii_slug(rnd.choice(FIRST_NAMES[locale]))
    last = ascii_slug(rnd.choice(LAST_NAMES[locale]))
    return f"{first}.{last}@{domain}"


def _pii_kinds(topic: TicketTopic, rnd: random.Random) -> tuple[str, ...]:
    kinds = topic.pii or ("phone", "email")
    roll = rnd.random()
    if roll < 0.04:
        return tuple(rnd.sample(("phone", "email", "url", "card", "iban"), 2))
    return (rnd.choice(kinds),) if roll < 0.2 else ()


def _status(age_ms: int, rng: np.random.Generator) -> str:
    if age_ms < MS_PER_DAY:
        options, p = ("open", "pending"), (0.6, 0.4)
    elif age_ms < 3 * MS_PER_DAY:
        options, p = ("open", "pending", "solved"), (0.25, 0.35, 0.4)
    else:
        options, p = ("open", "pending", "solved", "closed"), (0.03, 0.07, 0.55, 0.35)
    return options[int(rng.choice(len(options), p=p))]


def _tags(draft: _Draft, rnd: random.Random) -> str:
    if rnd.random() < 0.12:
        return ""
    tags = list(draft.topic.tags)
    if rnd.random() < 0.3:
        tags.append(PLATFORMS[draft.platform])
    return ";".join(tags)


def _priority(draft: _Draft, population: Population, rnd: random.Random) -> str:
    score = int(population.plan[draft.customer]) + (2 if draft.incident else 0) + rnd.randint(-1, 1)
    return ("low", "normal", "normal", "high", "urgent", "urgent")[max(0, min(score, 5))]
