"""The customers of the synthetic world: who they are, what they pay, where and how much they use the app."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.simulate.catalog import PLATFORMS, PRIMARY_PLATFORM_SHARE, SECONDARY_PLATFORM_PROBABILITY
from pipeline.simulate.clock import MS_PER_DAY, MS_PER_HOUR, iso_seconds
from pipeline.simulate.names import (
    COMPANY_TLDS,
    COMPANY_WORDS,
    FIRST_NAMES,
    LAST_NAMES,
    LOCALE_SHARE,
    LOCALES,
    PERSONAL_DOMAINS,
    UTC_OFFSETS,
    ascii_slug,
)

PLANS: tuple[str, ...] = ("free", "pro", "business", "enterprise")
PLAN_SHARE = np.array([0.45, 0.33, 0.16, 0.06])
# Paying teams use the product more, and write to support more.
PLAN_ACTIVITY = np.array([0.7, 1.0, 1.3, 1.5])
OPT_IN_SHARE = 0.85
SIGNUPS_DURING_WINDOW = 0.05
CUSTOMER_COLUMNS = ("customer_id", "email", "name", "locale", "plan", "mrr", "email_opt_in", "created_at")


@dataclass(frozen=True)
class Population:
    """Customers as parallel arrays indexed 0..N-1 (customer_id ``C%06d`` of index + 1)."""

    ids: np.ndarray
    first_names: list[str]
    names: list[str]
    emails: list[str]
    locale: np.ndarray  # index into LOCALES
    plan: np.ndarray  # index into PLANS
    seats: np.ndarray
    mrr: np.ndarray
    opt_in: np.ndarray
    created_ms: np.ndarray
    utc_offset_hours: np.ndarray
    activity: np.ndarray  # relative use, mean 1
    primary_platform: np.ndarray  # index into PLATFORMS
    secondary_platform: np.ndarray  # index into PLATFORMS, -1 for none
    adoption: np.ndarray  # (N, platforms) update-adoption quantiles

    @property
    def size(self) -> int:
        return len(self.ids)

    def uses(self, platform_code: int) -> np.ndarray:
        """Mask of customers who use ``platform_code`` at all."""
        return (self.primary_platform == platform_code) | (self.secondary_platform == platform_code)

    def frame(self) -> pd.DataFrame:
        """customers.csv as text columns, in id order."""
        return pd.DataFrame({
            "customer_id": self.ids,
            "email": self.emails,
            "name": self.names,
            "locale": np.asarray(LOCALES)[self.locale],
            "plan": np.asarray(PLANS)[self.plan],
            "mrr": [f"{value:.2f}" for value in self.mrr],
            "email_opt_in": np.where(self.opt_in, "true", "false"),
            "created_at": iso_seconds(self.created_ms),
        }, columns=list(CUSTOMER_COLUMNS))


def customer_ids(indices: np.ndarray) -> np.ndarray:
    """``C000123``-style ids for 0-based customer indices."""
    return np.strings.add("C", np.char.zfill((np.asarray(indices) + 1).astype(str), 6))


def build_population(count: int, start_ms: int, days: int, rng: np.random.Generator) -> Population:
    """Draw ``count`` customers; ids follow sign-up order, a few sign up during the simulated window."""
    created = _signup_times(count, start_ms, days, rng)
    order = np.argsort(created, kind="stable")
    created = created[order]
    locale = rng.choice(len(LOCALES), size=count, p=LOCALE_SHARE)
    plan = rng.choice(len(PLANS), size=count, p=PLAN_SHARE)
    seats, mrr = _seats_and_mrr(plan, rng)
    first, full, emails = _identities(locale, plan, rng)
    primary = rng.choice(len(PLATFORMS), size=count, p=PRIMARY_PLATFORM_SHARE).astype(np.int8)
    activity = rng.gamma(1.3, 1 / 1.3, size=count) * PLAN_ACTIVITY[plan]
    activity[rng.random(count) < 0.05] *= 0.03  # dormant accounts
    return Population(
        ids=customer_ids(np.arange(count)),
        first_names=first,
        names=full,
        emails=emails,
        locale=locale.astype(np.int8),
        plan=plan.astype(np.int8),
        seats=seats,
        mrr=mrr,
        opt_in=rng.random(count) < OPT_IN_SHARE,
        created_ms=created,
        utc_offset_hours=_utc_offsets(locale, rng),
        activity=activity / activity.mean(),
        primary_platform=primary,
        secondary_platform=_secondary_platforms(primary, rng),
        adoption=rng.random((count, len(PLATFORMS))),
    )


def _signup_times(count: int, start_ms: int, days: int, rng: np.random.Generator) -> np.ndarray:
    during = rng.random(count) < SIGNUPS_DURING_WINDOW
    days_before = rng.uniform(1, 3 * 365, size=count)
    offset_days = np.where(during, rng.uniform(0, days - 1, size=count), -days_before)
    day_ms = np.floor(offset_days) * MS_PER_DAY
    time_of_day = rng.integers(6 * MS_PER_HOUR, 22 * MS_PER_HOUR, size=count)
    return (start_ms + day_ms + time_of_day).astype(np.int64) // 1000 * 1000


def _seats_and_mrr(plan: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    seats = np.select(
        [plan == 0, plan == 1, plan == 2],
        [rng.integers(1, 4, plan.size), rng.integers(1, 11, plan.size), rng.integers(5, 61, plan.size)],
        rng.integers(40, 801, plan.size),
    )
    price = np.array([0.0, 12.0, 24.0, 19.0])[plan]
    # Enterprise contracts carry a negotiated discount, hence odd amounts.
    discount = np.where(plan == 3, 1 - rng.integers(0, 26, plan.size) / 100, 1.0)
    return seats.astype(np.int32), np.round(seats * price * discount, 2)


def _identities(locale: np.ndarray, plan: np.ndarray, rng: np.random.Generator) -> tuple[list[str], list[str], list[str]]:
    firsts, fulls, emails = [], [], []
    seen: dict[str, int] = {}
    first_pick = rng.random(locale.size)
    last_pick = rng.random(locale.size)
    style = rng.integers(0, 4, locale.size)
    domain_pick = rng.integers(0, 1 << 30, locale.size)
    for i, code in enumerate(locale):
        loc = LOCALES[code]
        first = FIRST_NAMES[loc][int(first_pick[i] * len(FIRST_NAMES[loc]))]
        last = LAST_NAMES[loc][int(last_pick[i] * len(LAST_NAMES[loc]))]
        firsts.append(first)
        fulls.append(f"{first} {last}")
        emails.append(_unique_email(first, last, int(plan[i]), int(style[i]), int(domain_pick[i]), seen))
    return firsts, fulls, emails


def _unique_email(first: str, last: str, plan: int, style: int, pick: int, seen: dict[str, int]) -> str:
    f, last_slug = ascii_slug(first), ascii_slug(last)
    local = (f"{f}.{last_slug}", f"{f[0]}{last_slug}", f"{f}{last_slug[0]}", f"{f}_{last_slug}")[style]
    if plan >= 2:  # teams sign up with their work address
        domain = COMPANY_WORDS[pick % len(COMPANY_WORDS)] + COMPANY_TLDS[(pick >> 8) % len(COMPANY_TLDS)]
    else:
        domain = PERSONAL_DOMAINS[pick % len(PERSONAL_DOMAINS)]
    address = f"{local}@{domain}"
    clashes = seen.get(address, 0)
    seen[address] = clashes + 1
    return address if clashes == 0 else f"{local}{clashes + 1}@{domain}"


def _utc_offsets(locale: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    result = np.zeros(locale.size, dtype=np.int8)
    for code, loc in enumerate(LOCALES):
        mask = locale == code
        offsets, weights = UTC_OFFSETS[loc]
        result[mask] = rng.choice(offsets, size=int(mask.sum()), p=np.asarray(weights) / sum(weights))
    return result


def _secondary_platforms(primary: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    web, ios, android = (PLATFORMS.index(name) for name in ("web", "ios", "android"))
    has_second = rng.random(primary.size) < SECONDARY_PLATFORM_PROBABILITY
    phone = np.where(rng.random(primary.size) < 0.5, ios, android)
    # Browser people add a phone; app people also open the browser; phone people add the browser.
    second = np.where(primary == web, phone, web)
    return np.where(has_second, second, -1).astype(np.int8)
