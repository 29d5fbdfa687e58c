"""The exceptions of hessian_rank.

`hessian-rank` reports bad input with one line on stderr, ``error: <message>``, and exit code 2; a run that could not
finish (a file not written, a certification that failed) exits 1, with such a line too. Both become exceptions whose
``str()`` is ``<message>``, the CLI's line without its ``error: `` prefix.
"""
from __future__ import annotations

from typing import Optional, Sequence


class HessianRankError(ValueError):
    """Bad input, refused by `hessian-rank` (exit 2): a shape that does not chain, NaN, an unsupported option...

    ``str(error)`` is the CLI's message; ``returncode``, ``stderr`` (all of it) and ``command`` (the argument list
    run) say more.
    """

    def __init__(self, message: str, *, returncode: int = 2, stderr: str = "", command: Optional[Sequence[str]] = None):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.stderr = stderr
        self.command = list(command) if command is not None else None


class HessianRankFailure(RuntimeError):
    """A run of `hessian-rank` that failed on valid input (exit 1, or any other nonzero exit or a crash), or printed
    output this package cannot read (a JSON format version it does not know). Same attributes as HessianRankError."""

    def __init__(self, message: str, *, returncode: Optional[int] = None, stderr: str = "",
                 command: Optional[Sequence[str]] = None):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.stderr = stderr
        self.command = list(command) if command is not None else None


class BinaryNotFoundError(FileNotFoundError):
    """No `hessian-rank` executable was found; ``tried`` lists every place looked at, in order."""

    def __init__(self, message: str, tried: Sequence[str]):
        super().__init__(message)
        self.tried = list(tried)

    def __str__(self) -> str:  # FileNotFoundError would print "[Errno None] ..." otherwise
        return self.args[0]


class FixtureError(ValueError):
    """A fixture folder that is not one (no case.json), or whose files do not match its manifest's SHA-256."""
