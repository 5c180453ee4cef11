"""Probe suites: schema, loading and validation, binning, sampling, registry."""

from halprobe.suites.loader import Suite, load_suite
from halprobe.suites.registry import builtin_names, load, resolve
from halprobe.suites.selection import sample

__all__ = ["Suite", "builtin_names", "load", "load_suite", "resolve", "sample"]
