"""The statistics app's purge hook for the retention run (`retention/`).

residue_keep(incident)   writes the anonymised residue of an incident about to be purged
                         (`stats.residue`), in the purge's transaction, before the deletion
"""

from __future__ import annotations

from .residue import residue_record


def residue_keep(incident) -> None:
    residue_record(incident=incident)
