"""The process around a command: a supervising parent that turns a native crash into one
line (supervise.py), and what the crash report says about the run (crash_context.py)."""
