"""The Great Expectations suites that gate each table, as code.

Each expectation carries ``meta.rule``: the short rule name a quarantined row is filed under. The suites
run on the typed chunk made by ``pipeline.coercion.coerce_chunk``; ``<column>__parsed`` columns say whether a
non-empty value parsed.
"""

from __future__ import annotations

from functools import cache

import great_expectations as gx
import great_expectations.expectations as gxe

from pipeline.coercion import PARSED_SUFFIX
from pipeline.contract import CUSTOMERS, EVENTS, TICKETS, TableSpec

# Deliberately permissive: one @, no spaces, a dot in the domain. Deliverability is SendGrid's job;
# this catches values that are plainly not addresses.
EMAIL_REGEX = r"^[^@\s<>(),;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
LOCALE_REGEX = r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$"


def _not_null(column: str, rule: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToNotBeNull(column=column, meta={"rule": rule})


def _parsed(column: str, rule: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeInSet(column=column + PARSED_SUFFIX, value_set=[True], meta={"rule": rule})


def _unique(column: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeUnique(column=column, meta={"rule": "duplicate_id"})


def _customers() -> list[gxe.Expectation]:
    return [
        _not_null("customer_id", "missing_id"),
        _unique("customer_id"),
        _not_null("email", "missing_email"),
        gxe.ExpectColumnValuesToMatchRegex(column="email", regex=EMAIL_REGEX, meta={"rule": "malformed_email"}),
        _parsed("email_opt_in", "invalid_boolean"),
        _not_null("email_opt_in", "missing_opt_in"),
        _parsed("created_at", "unparseable_timestamp"),
        _not_null("created_at", "missing_timestamp"),
        _parsed("mrr", "unparseable_number"),
        gxe.ExpectColumnValuesToBeBetween(column="mrr", min_value=0, meta={"rule": "negative_mrr"}),
        gxe.ExpectColumnValuesToMatchRegex(column="locale", regex=LOCALE_REGEX, meta={"rule": "malformed_locale"}),
    ]


def _tickets() -> list[gxe.Expectation]:
    return [
        _not_null("ticket_id", "missing_id"),
        _unique("ticket_id"),
        _not_null("customer_id", "missing_customer_id"),
        _parsed("created_at", "unparseable_timestamp"),
        _not_null("created_at", "missing_timestamp"),
        _not_null("body", "missing_body"),
        _parsed("csat", "unparseable_csat"),
        gxe.ExpectColumnValuesToBeBetween(column="csat", min_value=1, max_value=5, meta={"rule": "csat_out_of_range"}),
    ]


def _events() -> list[gxe.Expectation]:
    return [
        _not_null("event_id", "missing_id"),
        _unique("event_id"),
        _not_null("customer_id", "missing_customer_id"),
        _parsed("occurred_at", "unparseable_timestamp"),
        _not_null("occurred_at", "missing_timestamp"),
        _not_null("name", "missing_event_name"),
    ]


EXPECTATIONS = {CUSTOMERS.name: _customers, TICKETS.name: _tickets, EVENTS.name: _events}


def build_suite(spec: TableSpec) -> gx.ExpectationSuite:
    """The expectation suite of one table, named ``forewarn_<table>``."""
    suite = gx.ExpectationSuite(name=f"forewarn_{spec.name}")
    for expectation in EXPECTATIONS[spec.name]():
        suite.add_expectation(expectation)
    return suite


@cache
def rule_columns(spec: TableSpec) -> dict[str, str]:
    """Each rule of a table's suite and the contract column it checks (to name where bad values came from)."""
    columns = {"duplicate_id": spec.key}
    for expectation in EXPECTATIONS[spec.name]():
        rule = (expectation.meta or {}).get("rule")
        column = getattr(expectation, "column", None)
        if rule and column:
            columns.setdefault(rule, column.removesuffix(PARSED_SUFFIX))
    return columns
