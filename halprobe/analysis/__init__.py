"""Figures computed from stored rows: rates with CIs, confidence, (later) calibration."""

from halprobe.analysis.rates import summarise, wilson

__all__ = ["summarise", "wilson"]
