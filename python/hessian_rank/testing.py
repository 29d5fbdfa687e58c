"""Checking your own Hessian code against HessianRank's fixtures, in one line of a test.

    from hessian_rank.testing import check_hessians

    def test_my_hessians():
        check_hessians(my_hessian, "fixtures")      # a folder written by `hessian-rank fixtures`

``my_hessian(weights, biases, x, y)`` gets each fixture's arrays as load_fixture reads them and returns either a
dict {part: p x p array} (parts ``loss``, ``outer``, ``functional``) or one array, the loss Hessian H_L.
"""
from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .fixtures import Fixture, load_fixtures
from .results import PARTS

# An entry of yours differs when |yours - fixture| > atol + rtol * (largest |entry| of the fixture's matrix).
EXACT_RTOL = 1e-10      # formats 1 and 3: the files are the exact Hessians, only your float64 rounding differs
ROUNDED_RTOL = 1e-7     # format 2: the files are rounded float64 Hessians of transcendental functions


@dataclass(frozen=True)
class Mismatch:
    """One part of one fixture where your Hessian differs: ``difference`` is the largest |yours - fixture| (None when
    the shapes differ or the part is missing), at ``index``, with ``tolerance`` the allowed difference."""
    case: str
    part: str
    difference: Optional[float]
    index: Optional[Tuple[int, int]]
    yours: Optional[float]
    expected: Optional[float]
    tolerance: Optional[float]
    detail: str

    def __str__(self) -> str:
        return f"{self.case} {self.part}: {self.detail}"


def _wants_fixture(function: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "fixture" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters) or \
        any(p.kind == p.VAR_KEYWORD for p in parameters)


def _compare(fixture: Fixture, part: str, yours: Any, atol: float, rtol: float) -> Optional[Mismatch]:
    expected = fixture.hessians[part]
    ours = np.asarray(yours, dtype=np.float64)
    if ours.shape != expected.shape:
        return Mismatch(fixture.name, part, None, None, None, None, None,
                        f"shape {ours.shape}, the fixture's is {expected.shape} (p = {fixture.parameters})")
    tolerance = atol + rtol * float(np.max(np.abs(expected), initial=0.0))
    difference = np.abs(ours - expected)
    if not np.all(np.isfinite(ours)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(ours))[0])
        return Mismatch(fixture.name, part, float("inf"), index, float(ours[index]), float(expected[index]), tolerance,
                        f"yours has {float(ours[index])} at {index} (fixture {float(expected[index])!r})")
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(difference)), difference.shape))
    largest = float(difference[index])
    if largest <= tolerance:
        return None
    yours_value, expected_value = float(ours[index]), float(expected[index])
    return Mismatch(fixture.name, part, largest, index, yours_value, expected_value, tolerance,
                    f"largest entry difference {largest:.6g} at {index} (yours {yours_value!r}, fixture "
                    f"{expected_value!r}; tolerance {tolerance:.3g})")


def check_hessians(hessian_fn: Callable[..., Any], fixtures_dir: Union[str, "os.PathLike[str]"], *,
                   parts: Sequence[str] = PARTS, atol: Optional[float] = None,
                   rtol: Optional[float] = None) -> List[Tuple[str, str]]:
    """Runs ``hessian_fn(weights, biases, x, y)`` on every fixture of ``fixtures_dir`` (a folder written by
    `hessian-rank fixtures`, or one case folder) and compares its Hessians with the fixture's files.

    ``hessian_fn`` gets the fixture's arrays as load_fixture reads them (``biases`` None without biases), and also
    ``fixture=`` the Fixture itself (activation, CNN layers...) if it has a parameter named ``fixture`` or
    ``**kwargs``. It returns a dict {part: p x p array} or one array, which is then H_L (and only ``loss`` is
    compared). Parts in ``parts`` are compared where the fixture has the Hessian file (the CLI leaves out files it
    cannot write exactly: leaky-relu:a/b with b not a power of two, huge entries); a part you do not return is a
    mismatch.

    An entry differs when |yours - fixture| > atol + rtol * (largest |entry| of the fixture's matrix). Defaults:
    atol 0 and rtol 1e-10 for exact fixtures (formats 1 and 3: the files are exact, so only your own rounding may
    differ) and 1e-7 for rounded ones (format 2); given values apply to every fixture.

    Raises AssertionError listing every mismatch (case, part, largest entry difference), or when nothing at all
    was compared; returns the (case, part) pairs compared. An exception of ``hessian_fn`` propagates, with a note
    naming the case (Python 3.11+).
    """
    unknown = [part for part in parts if part not in PARTS]
    if unknown:
        raise ValueError(f"parts: {unknown} are not parts; choose from {list(PARTS)}")
    pass_fixture = _wants_fixture(hessian_fn)
    mismatches: List[Mismatch] = []
    compared: List[Tuple[str, str]] = []
    for fixture in load_fixtures(fixtures_dir):
        wanted = [part for part in parts if part in fixture.hessians]
        if not wanted:
            continue
        kwargs = {"fixture": fixture} if pass_fixture else {}
        try:
            returned = hessian_fn(fixture.weights, fixture.biases, fixture.x, fixture.y, **kwargs)
        except Exception as error:
            if hasattr(error, "add_note"):
                error.add_note(f"raised by the Hessian function on fixture {fixture.name} ({fixture.path})")
            raise
        if isinstance(returned, dict):
            yours = returned
        else:
            yours = {"loss": returned}
            wanted = [part for part in wanted if part == "loss"]
        tolerance_rtol = rtol if rtol is not None else (EXACT_RTOL if fixture.exact_hessians else ROUNDED_RTOL)
        tolerance_atol = atol if atol is not None else 0.0
        for part in wanted:
            if part not in yours:
                mismatches.append(Mismatch(fixture.name, part, None, None, None, None, None,
                                           f"your function returned no {part!r} Hessian (it returned "
                                           f"{sorted(yours)})"))
                continue
            mismatch = _compare(fixture, part, yours[part], tolerance_atol, tolerance_rtol)
            compared.append((fixture.name, part))
            if mismatch is not None:
                mismatches.append(mismatch)
    if mismatches:
        lines = "\n".join(f"  {m}" for m in mismatches)
        raise AssertionError(f"{len(mismatches)} Hessian mismatch(es) against the fixtures in {fixtures_dir}:\n{lines}")
    if not compared:
        raise AssertionError(f"no Hessian compared: no fixture in {fixtures_dir} has a Hessian file for the parts "
                             f"{list(parts)}")
    return compared
