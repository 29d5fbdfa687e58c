"""Finding the `hessian-rank` executable, and running it."""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
from typing import List, Optional, Sequence, Tuple

from .errors import BinaryNotFoundError, HessianRankError, HessianRankFailure

ENVIRONMENT_VARIABLE = "HESSIAN_RANK"
EXECUTABLE = "hessian-rank"
# Inside a checkout, in this order: the release build first (`swift build -c release`), then the debug build.
BUILD_PRODUCTS = (pathlib.Path(".build") / "release" / EXECUTABLE, pathlib.Path(".build") / "debug" / EXECUTABLE)


def _is_checkout(folder: pathlib.Path) -> bool:
    """A HessianRank source checkout: Package.swift beside the CLI's sources."""
    return (folder / "Package.swift").is_file() and (folder / "Sources" / "HessianRankCLI").is_dir()


def _checkouts() -> List[pathlib.Path]:
    """The checkouts to look in, in order: the one holding this package's own files (an editable install, or
    `python/` on sys.path), then the current working directory and each of its parents that is a checkout."""
    roots: List[pathlib.Path] = []
    own = pathlib.Path(__file__).resolve().parents[2]
    if _is_checkout(own):
        roots.append(own)
    cwd = pathlib.Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        if _is_checkout(folder) and folder not in roots:
            roots.append(folder)
    return roots


def _executable(path: pathlib.Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_binary() -> str:
    """The path of the `hessian-rank` executable this package runs.

    Tried in order, the first that exists wins:

    1. ``$HESSIAN_RANK``, when set and not empty (an error if it is not an executable file: a path set on purpose is
       never silently replaced by another);
    2. ``hessian-rank`` on ``$PATH``;
    3. in a HessianRank source checkout, ``.build/release/hessian-rank`` then ``.build/debug/hessian-rank``; the
       checkouts looked at are the one this package was imported from (when it is imported from ``python/`` inside a
       checkout) and then the current working directory and its parents.

    Raises BinaryNotFoundError, listing every place tried, when none exists.
    """
    configured = os.environ.get(ENVIRONMENT_VARIABLE, "")
    if configured:
        if _executable(pathlib.Path(configured)):
            return configured
        raise BinaryNotFoundError(f"${ENVIRONMENT_VARIABLE} is {configured!r}, which is not an executable file",
                                  [f"${ENVIRONMENT_VARIABLE}={configured}"])
    tried = [f"${ENVIRONMENT_VARIABLE} (not set)"]
    on_path = shutil.which(EXECUTABLE)
    if on_path:
        return on_path
    tried.append(f"{EXECUTABLE} on $PATH (not found)")
    roots = _checkouts()
    if not roots:
        tried.append("a HessianRank checkout (Package.swift and Sources/HessianRankCLI) holding this package, "
                     "or the current directory or one of its parents (none is)")
    for root in roots:
        for product in BUILD_PRODUCTS:
            candidate = root / product
            if _executable(candidate):
                return str(candidate)
            tried.append(f"{candidate} (missing)")
    raise BinaryNotFoundError(
        "cannot find the hessian-rank executable; tried: " + "; ".join(tried)
        + ". Build it (`swift build -c release` in the HessianRank checkout) and put it on $PATH, "
          f"or set ${ENVIRONMENT_VARIABLE} to its path",
        tried)


def _message(stderr: str) -> Optional[str]:
    """The CLI's one-line error without its "error: " prefix (the first such line), or None."""
    for line in stderr.splitlines():
        if line.startswith("error: "):
            return line[len("error: "):].strip()
    return None


def run(arguments: Sequence[str], *, cwd: Optional[str] = None) -> Tuple[str, str]:
    """Runs `hessian-rank ARGUMENTS...` and returns (stdout, stderr); exit 2 raises HessianRankError, any other
    nonzero exit HessianRankFailure, each with the CLI's message.

    ``cwd`` is the private temporary directory holding the files written for this run: it is removed as soon as the
    run ends, so its path is taken out of the message (``/tmp/hessian-rank-.../weights/w1.npy`` reads
    ``weights/w1.npy``, the name relative to it)."""
    command = [find_binary(), *arguments]
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if completed.returncode == 0:
        return completed.stdout, completed.stderr
    message = _message(completed.stderr)
    if message is not None and cwd is not None:
        for prefix in sorted({str(cwd), os.path.realpath(cwd)}, key=len, reverse=True):
            message = message.replace(prefix.rstrip("/") + "/", "")
    if completed.returncode == 2 and message is not None:
        raise HessianRankError(message, returncode=2, stderr=completed.stderr, command=command)
    if message is None:
        tail = completed.stderr.strip().splitlines()
        how = f"exit code {completed.returncode}" if completed.returncode > 0 else f"signal {-completed.returncode}"
        message = f"hessian-rank stopped with {how}" + (f": {tail[-1]}" if tail else " and no message")
    raise HessianRankFailure(message, returncode=completed.returncode, stderr=completed.stderr, command=command)
