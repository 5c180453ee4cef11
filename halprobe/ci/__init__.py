"""halprobe in CI: the regression gate (`halprobe check`) and the pytest plugin that runs
suites as tests against recorded cassettes (backends/cassettes.py)."""
