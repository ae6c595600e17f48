"""A synthetic SaaS world ("Acme Projects") in Forewarn's input contract, with the truth to score against.

``simulate_world(WorldSettings(...), out_dir)`` writes customers, tickets (two exports), events,
workarounds and ``truth/``: injected incidents and their affected customers, the pain point of every
ticket, and every deliberately dirty row. The same settings always give byte-identical files.
"""

from pipeline.simulate.settings import (
    IncidentTruth,
    OutputFolderError,
    SignatureTruth,
    WorldSettings,
    WorldSettingsError,
    WorldSummary,
)
from pipeline.simulate.world import simulate_world

__all__ = [
    "IncidentTruth",
    "OutputFolderError",
    "SignatureTruth",
    "WorldSettings",
    "WorldSettingsError",
    "WorldSummary",
    "simulate_world",
]
