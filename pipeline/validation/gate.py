"""Run a table's suite on a typed chunk: which rows fail which rule, and whether the table must stop."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import cache

import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

from pipeline.contract import TableSpec
from pipeline.validation.suites import build_suite

log = logging.getLogger(__name__)


class GateFailure(RuntimeError):
    """A table-level failure: the run stops before anything downstream; the message says why and what to do."""


@dataclass(frozen=True)
class ValidationSettings:
    """Thresholds of the table-level gate; environment variables override the defaults."""

    max_bad_row_share: float = 0.20
    freshness_hours: float = 0.0
    min_rows_for_share: int = 50

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
    return build_suite(spec)


def validate_chunk(typed: pd.DataFrame, spec: TableSpec) -> RowFailures:
    """Validate one typed chunk with the table's GX suite and return the failing rows by rule.

    Duplicate keys are reported on every occurrence by GX; the first occurrence is kept here and only
    the later ones are filed as ``duplicate_id``.
    """
    failures = RowFailures()
    if typed.empty:
        return failures
    frame = typed.reset_index(drop=True)
    batch = _batch_definition(spec.name).get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(_suite(spec), result_format={"result_format": "COMPLETE"})
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
        positions = expectation_result.result.get("unexpected_index_list") or []
        if rule == "duplicate_id":
            keys = frame[spec.key]
            later = keys.duplicated(keep="first") & keys.notna()
            positions = [p for p in positions if later.iat[p]]
        failures.unexpected_counts[rule] = len(positions)
        for position in positions:
            failures.add(int(labels[position]), rule)
    return failures
