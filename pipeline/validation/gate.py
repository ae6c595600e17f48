"""Run a table's suite on a typed chunk: which rows fail which rule, and whether the table must stop.

Great Expectations decides every row-level failure. To keep it cheap on large chunks it sees only the
columns its expectations read, validates each chunk once (one batch, no second fingerprint), and
returns failing row positions (``unexpected_index_list``) without the failing values or the pandas
query that GX would otherwise build.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import cache

import great_expectations as gx
import great_expectations.expectations as gxe
import numpy as np
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.validator.v1_validator import Validator

from pipeline.contract import TableSpec
from pipeline.validation.suites import build_suite

log = logging.getLogger(__name__)

# Failing rows by position: complete index lists, but no value lists, value counts or pandas query text.
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 0,
    "exclude_unexpected_values": True,
    "return_unexpected_index_query": False,
}

# Widths of the warehouse's VARCHAR columns (pipeline/warehouse/migrations/versions/0001_initial.py):
# PostgreSQL rejects a longer value and would fail the whole table, so such a row is quarantined instead
# (on SQLite too, so both warehouses hold the same rows). One expectation covers every column: GX checks
# each row's largest length-to-width ratio, computed here, and is at most 1 (a GX expectation per column
# would cost more than the rest of the suite).
WIDTH_RATIO = "__width_ratio"
MAX_LENGTHS: dict[str, dict[str, int]] = {
    "customers": {"customer_id": 64, "email": 320, "locale": 35, "plan": 64},
    "tickets": {"ticket_id": 64, "customer_id": 64, "channel": 64, "status": 64},
    "events": {
        "event_id": 64, "customer_id": 64, "name": 128, "feature": 128,
        "app_version": 64, "platform": 64, "error_code": 128,
    },
}


class GateFailure(RuntimeError):
    """A table-level failure: the run stops before anything downstream; the message says why and what to do."""


@dataclass(frozen=True)
class ValidationSettings:
    """Thresholds of the table-level gate; environment variables override the defaults."""

    max_bad_row_share: float = 0.20
    freshness_hours: float = 0.0
    min_rows_for_share: int = 50

    def bad_row_share(self, in_interval: int, quarantined: int, untimed: int) -> tuple[int, float | None]:
        """(rows judged, share of them quarantined), leaving out the ``untimed`` quarantined rows (no readable
        time: every bounded load of their file files them again); the share is None below ``min_rows_for_share``.
        """
        considered = in_interval - untimed
        if considered < max(self.min_rows_for_share, 1):
            return considered, None
        return considered, (quarantined - untimed) / considered

    @classmethod
    def from_env(cls) -> ValidationSettings:
        """Read ``FOREWARN_MAX_BAD_ROW_SHARE``, ``FOREWARN_FRESHNESS_HOURS`` (0 disables freshness) and
        ``FOREWARN_GATE_MIN_ROWS`` (below this many rows in an interval the share is not judged)."""
        try:
            return cls(
                max_bad_row_share=float(os.environ.get("FOREWARN_MAX_BAD_ROW_SHARE", cls.max_bad_row_share)),
                freshness_hours=float(os.environ.get("FOREWARN_FRESHNESS_HOURS", cls.freshness_hours)),
                min_rows_for_share=int(os.environ.get("FOREWARN_GATE_MIN_ROWS", cls.min_rows_for_share)),
            )
        except ValueError as exc:
            raise GateFailure(
                "FOREWARN_MAX_BAD_ROW_SHARE, FOREWARN_FRESHNESS_HOURS and FOREWARN_GATE_MIN_ROWS must be numbers "
                f"({exc})"
            ) from exc


@dataclass
class RowFailures:
    """Rule names per failing row label of a chunk (a row may break several rules)."""

    rules: dict[int, list[str]] = field(default_factory=dict)
    unexpected_counts: dict[str, int] = field(default_factory=dict)

    def add(self, label: int, rule: str) -> None:
        self.rules.setdefault(label, [])
        if rule not in self.rules[label]:
            self.rules[label].append(rule)

    def put_first(self, label: int, found: list[tuple[str, str]], rule_columns: dict[str, str]) -> None:
        """Put the rules a source mapping broke (``(rule, "column <- field...")``) before the suite's.

        The mapping's reason is the root cause: a value it could not read is emptied, so the suite
        then finds that column missing too. That echo is dropped, so a row names each column once.
        """
        rejected_columns = {detail.split(" <- ")[0] for _, detail in found}
        mapped = list(dict.fromkeys(rule for rule, _ in found))
        later = [
            rule
            for rule in self.rules.get(label, [])
            if rule not in mapped and rule_columns.get(rule) not in rejected_columns
        ]
        self.rules[label] = mapped + later


@cache
def _batch_definition(table_name: str) -> gx.core.batch_definition.BatchDefinition:
    # GX pins this module's logger at INFO and announces a temporary docs folder on every context.
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(f"forewarn_{table_name}")
    asset = source.add_dataframe_asset(table_name)
    return asset.add_batch_definition_whole_dataframe("chunk")


@cache
def _suite(spec: TableSpec) -> gx.ExpectationSuite:
    _batch_definition(spec.name)  # GX wants an active context before a suite takes expectations
    suite = build_suite(spec)
    if spec.name in MAX_LENGTHS:
        suite.add_expectation(
            gxe.ExpectColumnValuesToBeBetween(column=WIDTH_RATIO, max_value=1.0, meta={"rule": "value_too_long"})
        )
    return suite


def _width_ratios(typed: pd.DataFrame, spec: TableSpec) -> np.ndarray:
    """Per row, the largest ``len(value) / column width`` over the table's VARCHAR columns (0 if none)."""
    ratio = np.zeros(len(typed))
    for name, width in MAX_LENGTHS[spec.name].items():
        if name in typed.columns:
            lengths = typed[name].str.len().to_numpy(dtype=float, na_value=0.0)
            np.maximum(ratio, lengths / width, out=ratio)
    return ratio


@cache
def _suite_columns(spec: TableSpec) -> tuple[str, ...]:
    """The columns the suite reads, in a stable order (GX is given only these)."""
    names: list[str] = []
    for expectation in _suite(spec).expectations:
        name = getattr(expectation, "column", None)
        if name and name not in names and name != WIDTH_RATIO:
            names.append(name)
    return tuple(names)


def validate_chunk(typed: pd.DataFrame, spec: TableSpec) -> RowFailures:
    """Validate one typed chunk with the table's GX suite and return the failing rows by rule.

    Duplicate keys are reported on every occurrence by GX; the first occurrence is kept here and only
    the later ones are filed as ``duplicate_id``.
    """
    failures = RowFailures()
    if typed.empty:
        return failures
    frame = typed[list(_suite_columns(spec))].reset_index(drop=True)
    if spec.name in MAX_LENGTHS:
        frame[WIDTH_RATIO] = _width_ratios(typed, spec)
    # A Validator on the batch definition builds the batch once (Batch.validate would build it again).
    validator = Validator(
        batch_definition=_batch_definition(spec.name),
        result_format=RESULT_FORMAT,
        batch_parameters={"dataframe": frame},
    )
    result = validator.validate_expectation_suite(_suite(spec))
    labels = typed.index.to_numpy()
    for expectation_result in result.results:
        if expectation_result.success:
            continue
        config = expectation_result.expectation_config
        rule = (config.meta or {}).get("rule", config.type)
        if expectation_result.exception_info and expectation_result.exception_info.get("raised_exception"):
            raise GateFailure(
                f"expectation {config.type} on {spec.name} could not run: "
                f"{expectation_result.exception_info.get('exception_message')}"
            )
        positions = np.asarray(expectation_result.result.get("unexpected_index_list") or [], dtype=np.int64)
        if rule == "duplicate_id":
            keys = frame[spec.key]
            later = (keys.duplicated(keep="first") & keys.notna()).to_numpy()
            positions = positions[later[positions]]
        failures.unexpected_counts[rule] = len(positions)
        for label in labels[positions].tolist():
            failures.add(int(label), rule)
    return failures
