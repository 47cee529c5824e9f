"""Who makes the PDF of each kind of report: a registry that each app fills.

    register(kind, make)   make(report, *, now=None) -> Made; raises ReportProblem with a Danish reason
    renderer_for(kind)     the registered make, KeyError for a kind no app registered

The reports app registers its incident kinds (reports.apps); the statistics app registers
`statistics` (stats.apps, stats.report_pdf), so this app imports nothing of the statistics.
Storing, hashing, auditing and failing stay shared in reports.services.report_render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


class ReportProblem(Exception):
    """The report cannot be made; str(exc) is the Danish reason shown to the manager."""


@dataclass(frozen=True)
class Made:
    """A rendered report, before it is stored."""

    content: bytes
    pages: int
    organisation_id: int
    plain_text: str = ""
    evidence_ids: list = field(default_factory=list)


Renderer = Callable[..., Made]
_RENDERERS: dict[str, Renderer] = {}


def register(kind: str, make: Renderer) -> None:
    _RENDERERS[str(kind)] = make


def renderer_for(kind: str) -> Renderer:
    return _RENDERERS[str(kind)]
