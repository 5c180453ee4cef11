"""`python -m halprobe.server`: llama-cpp-python's OpenAI-compatible server, safe on AMX CPUs.

llama_cpp.server has no flag for llama.cpp's ``use_extra_bufts`` model param, and its AMX buffer
type crashes on Intel CPUs with AMX (backends/cpu.py). This entry point applies halprobe's rule
(``--extra_bufts auto|on|off``, default auto: off where the CPU has AMX) to every model the
server loads (backends/cpu.llama_model_params), then runs llama_cpp.server with the remaining
arguments unchanged. ``--model``
defaults to the embedded SmolLM2-135M-Instruct GGUF.

    python -m halprobe.server --port 8000 --logits_all true
"""

from __future__ import annotations

import argparse
import sys

from halprobe.backends.cpu import CHOICES, llama_model_params, this_machine


def parse(argv: list[str]) -> tuple[str, list[str]]:
    """halprobe's own option, and llama_cpp.server's arguments (with --model filled in)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--extra_bufts", "--extra-bufts", choices=CHOICES, default="auto")
    ours, rest = parser.parse_known_args(argv)
    if "-h" not in rest and "--help" not in rest and not any(
            a == "--model" or a.startswith("--model=") for a in rest):
        from halprobe.backends.default import default_gguf

        rest = ["--model", str(default_gguf()), *rest]
    return ours.extra_bufts, rest


def main(argv: list[str] | None = None) -> None:
    from halprobe.errors import UserError

    try:
        choice, rest = parse(sys.argv[1:] if argv is None else argv)
    except UserError as exc:
        sys.exit(f"halprobe.server: error: {exc}")
    cpu = this_machine()
    use = cpu.extra_bufts(choice)
    print(f"halprobe.server: extra_bufts={choice} -> use_extra_bufts={use} (llama.cpp CPU "
          f"features: {' '.join(cpu.features) or 'none'})", file=sys.stderr, flush=True)
    from llama_cpp.server.__main__ import main as serve

    sys.argv = [sys.argv[0], *rest]
    with llama_model_params(use):
        serve()


if __name__ == "__main__":
    main()
