"""halprobe inside other evaluation harnesses: inspect_ai and lm-evaluation-harness.

Each harness is an optional extra (``pip install 'halprobe[inspect]'``, ``'halprobe[lm-eval]'``).
Nothing here imports a harness at module level except the modules that exist only to plug into
it (``inspect_task``, ``inspect_model``), which the harness itself loads; the commands that read
a harness's files ask for its package through ``require``, so a missing one is one error line
with the install command, never an ImportError traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from halprobe.errors import UserError

EXTRAS = {"inspect_ai": "inspect", "lm_eval": "lm-eval"}


def require(module: str, purpose: str) -> ModuleType:
    """Import a harness package, or fail with the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        extra = EXTRAS.get(module, module)
        raise UserError(f"{purpose} needs {module}: pip install 'halprobe[{extra}]'") from None
