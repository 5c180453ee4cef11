"""A user mistake gives one line naming the problem, exit code 2, no traceback, no run dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ITEMS, run_cli, write_suite


def _assert_user_error(result: object, needle: str) -> None:
    assert result.returncode == 2, result.stderr  # type: ignore[attr-defined]
    err = result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in err
    assert needle in err, err
    assert all(line.startswith("halprobe: error: ") for line in err.strip().splitlines()), err


@pytest.mark.parametrize(("args", "needle"), [
    (["--model", "gpt-4o"], "has no prefix"),
    (["--model", "bogus:thing"], "unknown model spec prefix 'bogus'"),
    (["--model", "llamacpp:/nonexistent/model.gguf"], "GGUF file not found: /nonexistent"),
    (["--suite", "no-such-suite"], "unknown suite 'no-such-suite'"),
    (["--suite", "/nonexistent/suite.yaml"], "suite file not found"),
    (["--limit", "0"], "--limit must be a positive integer, got 0"),
    (["--limit", "-3"], "--limit must be a positive integer, got -3"),
    (["--per-bin", "0"], "--per-bin must be a positive integer"),
    (["--backend-option", "n_thread=1"], "the default (llama.cpp) backend has no option "
                                         "'n_thread'"),
    (["--backend-option", "n_threads"], "expected KEY=VALUE"),
    (["--concurrency", "4"], "has no option 'concurrency'"),
])
def test_bad_eval_arguments(tmp_path: Path, args: list[str], needle: str) -> None:
    results = tmp_path / "results"
    result = run_cli("eval", *args, "--results", str(results), timeout=120)
    _assert_user_error(result, needle)
    assert not results.exists()


def test_malformed_suite_reports_file_line_field(tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "s", [ITEMS[0], {**ITEMS[1], "exists": "yes"}])
    result = run_cli("eval", "--suite", str(suite), "--results", str(tmp_path / "r"))
    _assert_user_error(result, f"{tmp_path / 's' / 'items.jsonl'}:2: field 'exists' must be bool")
    assert not (tmp_path / "r").exists()


def test_unwritable_output_directory(tmp_path: Path, tiny_suite: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_cli("eval", "--suite", str(tiny_suite), "--out", str(blocker / "run"))
    _assert_user_error(result, f"cannot write to output directory {blocker / 'run'}")


def test_suites_lists_counts_per_bin(tiny_suite: Path) -> None:
    result = run_cli("suites", "--suite", str(tiny_suite), env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "tiny" in line)
    # tiny: Barbados in bin 0, France and Burkina Faso in bin 1
    cells = row.split()
    assert cells[:2] == ["tiny", "0.1.0"]
    assert cells[3:6] == ["3", "1", "2"]


def test_help_explains_eval() -> None:
    result = run_cli("eval", "--help", env={"COLUMNS": "200"})
    assert result.returncode == 0
    assert "--per-bin" in result.stdout and "resumes" in result.stdout


def test_eval_help_lists_every_backend_option_and_no_bool_metavar() -> None:
    """-o's help names every option each backend's constructor takes (but those the spec or a
    flag sets, and the API key, which belongs in OPENAI_API_KEY, not in shell history)."""
    import inspect

    from halprobe.backends.hf import HFBackend
    from halprobe.backends.llamacpp import LlamaCppBackend
    from halprobe.backends.openai_compat import OpenAICompatBackend

    result = run_cli("eval", "--help", env={"COLUMNS": "200"})
    text = " ".join(result.stdout.split())
    set_elsewhere = {"model_id", "gguf", "base_url", "api_key"}
    for backend in (LlamaCppBackend, HFBackend, OpenAICompatBackend):
        for p in inspect.signature(backend).parameters.values():
            if p.default is not inspect.Parameter.empty and p.name not in set_elsewhere:
                assert p.name in text, (backend.__name__, p.name)
    assert "<bool>" not in result.stdout
    assert "--all " in result.stdout


def test_backend_options_are_read_as_yaml_scalars() -> None:
    from halprobe.backends.spec import parse_backend_options

    assert parse_backend_options(["n_threads=2", "logprobs=false", "x=0.5", "name=a=b",
                                  "empty="]) == {"n_threads": 2, "logprobs": False, "x": 0.5,
                                                 "name": "a=b", "empty": ""}
    assert parse_backend_options(["list=[1, 2]"]) == {"list": "[1, 2]"}
