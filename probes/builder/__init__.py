"""The probe-suite builder behind ``python probes/build.py``: one module per suite, plus what
they share (sources, text keys, bins, the written files)."""
