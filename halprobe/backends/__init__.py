"""Model adapters behind one protocol; resolved from a --model spec by prefix."""

from halprobe.backends.base import Backend, BackendError
from halprobe.backends.registry import create
from halprobe.backends.spec import split_spec

__all__ = ["Backend", "BackendError", "create", "split_spec"]
