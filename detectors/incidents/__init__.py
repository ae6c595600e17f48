"""Incident detectors over event aggregates: new signatures and release regressions, with their findings."""

from detectors.incidents.findings import FINDING_COLUMNS, INCIDENT_KINDS, IncidentFinding, findings_to_frame
from detectors.incidents.inputs import IncidentInputError
from detectors.incidents.new_signature import NewSignatureDetector
from detectors.incidents.release_regression import ReleaseRegressionDetector
from detectors.incidents.severity import compute_growth, label_severity, score_severity
from detectors.incidents.versions import canonical_version, parse_version, sort_versions

__all__ = [
    "FINDING_COLUMNS",
    "INCIDENT_KINDS",
    "IncidentFinding",
    "IncidentInputError",
    "NewSignatureDetector",
    "ReleaseRegressionDetector",
    "canonical_version",
    "compute_growth",
    "findings_to_frame",
    "label_severity",
    "parse_version",
    "score_severity",
    "sort_versions",
]
