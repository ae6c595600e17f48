"""Links between pain points and incidents, and the customers a link says to write to."""

from detectors.links.association import adjust_benjamini_hochberg, compute_lift, fisher_greater
from detectors.links.audience import AUDIENCE_COLUMNS, affected_not_written
from detectors.links.inputs import EXPOSURE_COLUMNS, TICKET_COLUMNS, LinkInputError
from detectors.links.linker import LINK_COLUMNS, PainPointLinker
from detectors.links.text_match import score_text_match

__all__ = [
    "AUDIENCE_COLUMNS",
    "EXPOSURE_COLUMNS",
    "LINK_COLUMNS",
    "TICKET_COLUMNS",
    "LinkInputError",
    "PainPointLinker",
    "adjust_benjamini_hochberg",
    "affected_not_written",
    "compute_lift",
    "fisher_greater",
    "score_text_match",
]
