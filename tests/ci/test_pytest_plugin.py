"""The pytest plugin as a user would use it: a test file in their own project."""

from __future__ import annotations

import pytest

from tests.conftest import REPO

USER_TEST = f'''
from halprobe.ci.pytest_plugin import assert_no_regression

CASSETTE = "{REPO}/tests/cassettes/ci_capitals.yaml"
BASELINE = "{REPO}/results/baselines/smollm2-capitals.csv"


def test_no_new_hallucinations(halprobe_eval):
    run = halprobe_eval(model="openai:smollm2", base_url="http://127.0.0.1:9/v1",
                        suites=["capitals"], per_bin=4, cassette=CASSETTE)
    assert len(run.responses) == 20
    assert_no_regression(run, baseline=BASELINE)


def test_a_worse_run_fails(halprobe_eval, tmp_path):
    import pandas as pd
    run = halprobe_eval(model="openai:smollm2", base_url="http://127.0.0.1:9/v1",
                        suites=["capitals"], per_bin=4, cassette=CASSETTE)
    # a baseline that never hallucinated on 300 items per bin: the z test flags the rise
    perfect = pd.DataFrame({{"suite": "capitals", "bin": [str(b) for b in range(5)],
                            "n": 300, "n_hallucinated": 0}})
    perfect.to_csv(tmp_path / "perfect.csv", index=False)
    try:
        assert_no_regression(run, baseline=tmp_path / "perfect.csv")
    except AssertionError as exc:
        assert "hallucination rate rose significantly" in str(exc)
    else:
        raise AssertionError("a run worse than a perfect baseline must fail the gate")
'''


def test_plugin_fixture_replays_a_cassette_and_gates(pytester: pytest.Pytester,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
