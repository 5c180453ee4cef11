"""Errors that mean "the user asked for something that cannot be done", not a bug.

The CLI prints these as one line and exits 2, never with a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the user's input (spec, path, file content, option value)."""


class SuiteError(UserError):
    """A suite file that does not validate; carries every problem found, each with file:line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:20]
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__("\n".join(shown) + more)


class MissingDependencyError(UserError):
    """An optional dependency is not installed; the message has the install command."""

    def __init__(self, package: str, purpose: str) -> None:
        super().__init__(f"{purpose} needs the package '{package}': pip install '{package}'")
