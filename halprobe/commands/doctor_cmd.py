"""`halprobe doctor`: what to paste into a bug report, and whether the default model answers."""

from __future__ import annotations

import typer

from halprobe.backends.cpu import choice_from_option
from halprobe.backends.spec import parse_backend_options
from halprobe.commands import diagnose


def doctor_command(
    backend_option: list[str] = typer.Option(
        [], "--backend-option", "-o", metavar="KEY=VALUE",
        help="Option for the default model's llama.cpp backend, e.g. extra_bufts=off to "
             "check the AMX workaround, n_threads=1."),
) -> None:
    """Print versions, CPU features, memory and the default model's checksum, then ask the
    default model one question in a child process. Exit 0 when it answered, 1 otherwise."""
    options = parse_backend_options(backend_option)
    choice = choice_from_option(options.get("extra_bufts", "auto"))
    facts = {**diagnose.package_versions(), **diagnose.machine_facts(choice),
             **diagnose.default_model_facts()}
    width = max(map(len, facts))
    for key, value in facts.items():
        typer.echo(f"{key:<{width}}  {value}")
    typer.echo(f"{'probe':<{width}}  asking the default model: {diagnose.PROMPT!r} ...")
    result = diagnose.probe(options)
    if result.answered:
        typer.echo(f"{'answer':<{width}}  {result.answer!r} ({result.seconds:.1f} s)")
        return
    typer.echo(f"{'answer':<{width}}  none: the model {result.how}")
    raise typer.Exit(1)
