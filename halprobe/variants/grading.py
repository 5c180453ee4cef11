"""Which grader a row gets: the suite's matcher, the obituary form's claim reader, and the
after-cutoff regrade (docs/grading.md, docs/metrics.md 1)."""

from __future__ import annotations

from halprobe.scoring import grade, obituary
from halprobe.types import Grade, ProbeItem
from halprobe.variants.cutoff import regrade


def grade_item(item: ProbeItem, response: str) -> Grade:
    """``grade`` for every item; the obituary form's own grader for obituary items; and the
    after-cutoff regrade ("alive as far as I know" is right there, ``cutoff.regrade``)."""
    form = item.variant.form
    verdict = obituary.grade(item, response) if form == "obituary" else grade(item, response)
    return regrade(item, response, verdict)
