"""Provenance checks: what SHACL cannot see, because it needs the source texts or arithmetic.

``nkd validate`` runs these beside the SHACL shapes, on the same data, and reports them in
the same report (each result names an nkd constraint component, :data:`COMPONENTS`):

- **text copies unchanged**: each ``nkd:textCopy`` file has the SHA-256 recorded in the
  graph (``spdx:checksum``), so an edited or re-encoded text is caught before its quotes
  are trusted (their quotes are not checked against a changed text);
- **quotes verbatim and unambiguous**: each ``oa:exact`` occurs in the text of the source
  its annotation targets, once, or once with its ``oa:prefix`` / ``oa:suffix``; a
  prefix or suffix that does not match is wrong too (W3C Web Annotation);
- **figures agree with their words**: each count or amount (:data:`STATED`) has the
  words that state it (``nkd:statedAs``), which occur in its quote and read as its value,
  hedge and unit (:mod:`nkd.figures`); or it is derived (``nkd:derivation``: how,
  from what) and equals that derivation; ``nkd:resolvedValue`` is always derived;
- **conflicts found from the data**: figures that cannot both be true
  (:mod:`nkd.conflicts`) are linked by ``nkd:conflictsWith``, and figures linked by
  ``nkd:corroborates`` can both be true.

The source texts are read from a directory (the shipped ``graph/sources/`` by default):
a text copy ``https://w3id.org/nkd/sources/{file}`` is the file ``{file}`` there.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .base import COMPONENTS, STATED, Finding
from .conflict_checks import ConflictChecks
from .figure_checks import FigureChecks
from .text_checks import TextChecks


class Checker(TextChecks, FigureChecks, ConflictChecks):
    """Runs the provenance checks over a store holding the data (one named graph per file)."""

    def findings(self) -> list[Finding]:
        """Every check, in order: text copies, quotes, figures, derivations, conflicts."""
        found: list[Finding] = []
        found += self.check_text_copies()
        found += self.check_quotes()
        found += self.check_figures()
        found += self.check_derivations()
        found += self.check_conflicts()
        return found


def check(store: ox.Store, sources_dir: Path) -> list[Finding]:
    """Every provenance finding for the data in ``store``, reading texts from ``sources_dir``."""
    return Checker(store, sources_dir).findings()


__all__ = ["COMPONENTS", "Checker", "Finding", "STATED", "check"]
