"""Reading a user's YAML file, with the one-line errors every such file gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from halprobe.errors import UserError

# libyaml's parser where PyYAML was built with it: several times faster than the pure-Python one
SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, what: str) -> Any:
    """Parsed YAML of ``path``; a UserError naming ``what`` and the file when it cannot be read."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except OSError as exc:
        raise UserError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({exc})") from None
