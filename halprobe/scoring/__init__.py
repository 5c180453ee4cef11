"""Deterministic typed grading of model answers (docs/metrics.md section 1).

``grade(item, response)`` returns a :class:`halprobe.types.Grade`. Scoring works on stored
text only: it never imports torch, transformers, backends or the runner (docs/design.md).
"""

from halprobe.scoring.grade import MATCHERS, grade

__all__ = ["MATCHERS", "grade"]
