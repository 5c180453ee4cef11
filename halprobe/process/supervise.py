"""Run model-loading commands in a child process, so a native crash ends in one clear line.

A segmentation fault in llama.cpp or torch kills the process outright: no Python handler runs,
and the shell prints a bare "Segmentation fault". So `halprobe eval` (and the other commands that
load a model) run as a thin parent that starts the real command as a child, waits, and reads
the child's exit signal. On a crash it prints one line: what crashed, the CPU features llama.cpp
reported, the option to try, and that finished rows are kept and the same command resumes
(crash_context.py holds what the child noted before it died; faulthandler's Python stack goes to
the run directory as crash.log). Exit code 128 + signal, as a shell reports it.

Signals: the child is in the parent's process group, so Ctrl-C at a terminal reaches both; the
parent then leaves it to the child (which saves its rows and exits 130). A signal sent to the
parent alone (``kill -INT PID``, a test's ``send_signal``) is forwarded. The kernel kills the
child if the parent is killed (PR_SET_PDEATHSIG), so ``kill -9`` stops the work as before.

Linux only (sigwaitinfo, prctl); elsewhere commands run in process as before. Standard library
only, so the parent starts in milliseconds.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from halprobe.process import crash_context

SUPERVISED_COMMANDS = frozenset({"eval", "grade", "tune-prompt", "synth"})
ENV_CHILD = "HALPROBE_SUPERVISED"
CRASH_SIGNALS = frozenset({signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE,
                           signal.SIGABRT, signal.SIGTRAP, signal.SIGSYS})
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SI_KERNEL = 0x80  # si_code of a signal the terminal sent to the whole foreground group
PR_SET_PDEATHSIG = 1
CRASH_LOG = "crash.log"


def wanted(argv: list[str], environ: Mapping[str, str] = os.environ) -> bool:
    """Supervise this command line? Model-loading commands, not help, not already a child."""
    if sys.platform != "linux" or environ.get(ENV_CHILD) or not argv:
        return False
    return argv[0] in SUPERVISED_COMMANDS and not {"-h", "--help"} & set(argv)


def run(argv: list[str]) -> int:
    """Run ``halprobe ARGV`` in a child; return the exit code to leave with."""
    waited = {*FORWARDED, signal.SIGCHLD}
    with tempfile.TemporaryDirectory(prefix="halprobe-crash-") as crash_dir:
        env = {**os.environ, ENV_CHILD: "1", crash_context.ENV_DIR: crash_dir}
        path = _child_pythonpath()
        if path:
            env["PYTHONPATH"] = path
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, waited)
        try:
            child = subprocess.Popen([sys.executable, "-m", "halprobe.cli", *argv], env=env,
                                     preexec_fn=_child_setup(os.getpid(), waited))
            status, forwarded = _wait(child, waited)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return _outcome(status, forwarded, Path(crash_dir))


def _child_pythonpath() -> str | None:
    """PYTHONPATH for the child, so it runs this very halprobe: a source tree that this process
    found on its own path (the current folder, a checkout) goes first; an installed package is
    found by the child anyway, and site-packages must not go ahead of the standard library."""
    import site

    import halprobe

    root = Path(halprobe.__file__).resolve().parents[1]
    installed = {Path(p).resolve() for p in [*site.getsitepackages(),
                                             site.getusersitepackages()]}
    current = os.environ.get("PYTHONPATH")
    if root in installed:
        return current
    return os.pathsep.join(p for p in (str(root), current) if p)


def _child_setup(parent: int, waited: set[signal.Signals]) -> Any:
    def setup() -> None:  # runs in the forked child, before exec
        signal.pthread_sigmask(signal.SIG_UNBLOCK, waited)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl: nobody would wait for us
            os._exit(1)
    return setup


def _wait(child: subprocess.Popen[bytes], waited: set[signal.Signals]) -> tuple[int, set[int]]:
    """The child's return code (negative: killed by that signal) and the signals forwarded."""
    forwarded: set[int] = set()
    while True:
        info = signal.sigwaitinfo(waited)
        if info.si_signo == signal.SIGCHLD:
            code = child.poll()
            if code is not None:
                return code, forwarded
        elif info.si_code != SI_KERNEL:  # sent to this process alone: pass it on
            child.send_signal(info.si_signo)
            forwarded.add(info.si_signo)


def _outcome(status: int, forwarded: set[int], crash_dir: Path) -> int:
    if status >= 0:
        return status
    signum = -status
    if signum == signal.SIGINT:
        return 130
    if signum not in forwarded:
        print(f"halprobe: error: {describe(signum, crash_context.read(crash_dir), crash_dir)}",
              file=sys.stderr)
    return 128 + signum


def describe(signum: int, context: dict[str, Any], crash_dir: Path) -> str:
    """One line for a child that died of ``signum``, from what it noted before."""
    name = signal.Signals(signum).name
    run_dir = context.get("run_dir")
    kept = (f"finished rows are kept in {run_dir}: rerun the same command to resume" if run_dir
            else "no run directory was started yet")
    if signum == signal.SIGKILL:
        return (f"halprobe was killed ({name}), by the kernel's out-of-memory killer or another "
                f"process; {kept}")
    if signum not in CRASH_SIGNALS:
        return f"halprobe was stopped by {name}; {kept}"
    stack = _keep_stack(crash_dir, run_dir)
    return (f"{_what_crashed(name, context)}; {kept}"
            + (f" (Python stack in {stack})" if stack else ""))


def _what_crashed(name: str, context: dict[str, Any]) -> str:
    backend = context.get("backend")
    if backend != "llamacpp":
        where = f" in the {backend} backend" if backend else ""
        return (f"the model crashed in native code ({name}){where}; `halprobe doctor` prints "
                "what to put in a bug report")
    features = ", ".join(context.get("cpu_features") or []) or "none reported"
    if context.get("extra_bufts_used"):
        hint = "try -o extra_bufts=off (llama.cpp's repacked AMX weight buffers crash on some CPUs)"
    else:
        hint = ("extra buffer types were already off; try -o n_parallel=1, and run `halprobe "
                "doctor` for a bug report")
    return (f"the model crashed in llama.cpp's native code ({name}); llama.cpp reported CPU "
            f"features {features}; {hint}")


def _keep_stack(crash_dir: Path, run_dir: str | None) -> str | None:
    """faulthandler's dump moved next to the run's rows (the crash directory is temporary)."""
    stack = crash_dir / crash_context.STACK_FILE
    if not stack.is_file() or stack.stat().st_size == 0:
        return None
    if run_dir is None or not Path(run_dir).is_dir():
        return None
    target = Path(run_dir) / CRASH_LOG
    shutil.copyfile(stack, target)
    return str(target)
