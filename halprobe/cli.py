"""Command line: `halprobe eval | suites | grade | check | report | leaderboard | synth |
tune-prompt | doctor | models | compare | import | export`.

A user mistake (bad spec, path, option, file) prints one line and exits 2; never a traceback.
Each command group lives in halprobe/commands/ so this file stays a table of contents.
"""

from __future__ import annotations

import sys

import typer

from halprobe import __version__
from halprobe.commands import (
    check_cmd,
    compare_cmd,
    doctor_cmd,
    eval_cmd,
    export_cmd,
    grade_cmd,
    import_cmd,
    leaderboard_cmd,
    models_cmd,
    report_cmd,
    suites_cmd,
    synth_cmd,
    tune_cmd,
)
from halprobe.errors import UserError
from halprobe.process import crash_context, supervise

app = typer.Typer(
    name="halprobe",
    help="Measure how often a language model states false facts, by how rare the fact is.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("eval")(eval_cmd.eval_command)
app.command("suites")(suites_cmd.suites_command)
app.command("grade")(grade_cmd.grade_command)
app.command("check")(check_cmd.check_command)
app.command("report")(report_cmd.report_command)
app.command("leaderboard")(leaderboard_cmd.leaderboard_command)
app.command("synth")(synth_cmd.synth_command)
app.command("tune-prompt")(tune_cmd.tune_command)
app.command("doctor")(doctor_cmd.doctor_command)
app.command("models")(models_cmd.models_command)
app.command("compare")(compare_cmd.compare_command)
app.add_typer(import_cmd.import_app, name="import")
app.add_typer(export_cmd.export_app, name="export")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"halprobe {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """halprobe: hallucination probes stratified by a training-frequency proxy."""


def main() -> None:
    """Entry point: user errors become one line and exit code 2; model-loading commands run in
    a supervised child, so a native crash is one line too (supervise.py)."""
    argv = sys.argv[1:]
    if supervise.wanted(argv):
        sys.exit(supervise.run(argv))
    crash_context.enable_stack_dump()  # a no-op unless this is a supervised child
    try:
        app(standalone_mode=True)
    except UserError as exc:
        lines = str(exc).splitlines() or ["error"]
        for line in lines:
            print(f"halprobe: error: {line}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        _interrupted()
        sys.exit(130)
    except SystemExit as exc:
        if exc.code == 130:  # typer turns Ctrl-C into a silent exit 130
            _interrupted()
        raise


def _interrupted() -> None:
    print("halprobe: interrupted; finished items are saved, rerun the same command to resume",
          file=sys.stderr)


if __name__ == "__main__":
    main()
