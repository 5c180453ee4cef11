"""The `halprobe` console script: supervise model-loading commands before importing the CLI.

The parent of a supervised command (supervise.py) only waits for its child, so it must not pay
for the CLI's imports (typer, pandas: about a second): this module imports them only when the
command runs in this process.
"""

from __future__ import annotations

import sys

from halprobe.process import supervise


def main() -> None:
    argv = sys.argv[1:]
    if supervise.wanted(argv):
        sys.exit(supervise.run(argv))
    from halprobe.cli import main as cli_main

    cli_main()
