"""Data-quality gates: Great Expectations suites kept as code, row-level quarantine, table-level stops."""

from pipeline.validation.gate import GateFailure, RowFailures, ValidationSettings, validate_chunk
from pipeline.validation.suites import build_suite

__all__ = ["GateFailure", "RowFailures", "ValidationSettings", "build_suite", "validate_chunk"]
