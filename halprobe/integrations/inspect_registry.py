"""What inspect_ai loads through halprobe's ``inspect_ai`` entry point (pyproject.toml): the
suite tasks (`inspect eval halprobe/capitals`) and the ``halprobe`` model provider
(`--model halprobe/default`, any halprobe model spec after the slash)."""

from __future__ import annotations

from inspect_ai.model import ModelAPI, modelapi

from halprobe.integrations.inspect_task import (  # noqa: F401  (registers the tasks)
    capitals,
    controls,
    halprobe_grader,
    obituaries,
    papers,
    suite,
)


@modelapi(name="halprobe")
def halprobe_provider() -> type[ModelAPI]:
    """halprobe's backends as an inspect model provider; loaded when first named."""
    from halprobe.integrations.inspect_model import HalprobeModel

    return HalprobeModel
