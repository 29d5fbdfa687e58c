"""Fixtures: `hessian-rank fixtures` from Python, and reading the folders it writes.

A fixtures folder (``--out``) holds ``manifest.json`` (every case with the SHA-256 of each of its files) and one folder
per case: ``case.json``, ``x.npy``, ``y.npy``, ``w1.npy ...``, ``b1.npy ...`` (with biases) and the Hessians
``hessian_loss.npy``, ``hessian_outer.npy``, ``hessian_functional.npy`` (where written). Three formats:

- 1: dense networks with exact ranks and exact Hessians (linear, relu, leaky-relu);
- 2: dense networks with certified rank intervals and rounded float64 Hessians (cross-entropy, log-cosh, tanh,
  sigmoid, elu);
- 3: linear convolutional networks, exact, in PyTorch's layout (x is N x C x H x W, weights in their PyTorch shapes).
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import numpy as np

from . import _arrays
from ._binary import run
from .errors import FixtureError
from .results import PARTS, Bound, PartInterval

PathLike = Union[str, "os.PathLike[str]"]

FORMAT_VERSIONS = (1, 2, 3)

# fixtures(**options): the option's Python name -> the CLI's flag. Booleans are flags (True: given, False: left out);
# None leaves an option out.
_OPTIONS = {"preset": "--preset", "activation": "--activation", "loss": "--loss", "arch": "--arch",
            "architecture": "--arch", "bias": "--bias", "samples": "--samples", "seed": "--seed",
            "data_rank": "--data-rank", "max_memory": "--max-memory", "input": "--input", "layers": "--layers"}


@dataclass(frozen=True)
class Fixture:
    """One fixture case, as `load_fixture` reads it.

    ``weights``: [W_1, ..., W_L] (dense: M_t x M_{t-1}; CNNs: each layer's weight in its PyTorch shape).
    ``biases``: None when no layer has a bias, else one entry per layer: an array, or None for a layer without one
    (only CNN fixtures mix them). ``x``, ``y``: data and targets. ``hessians``: {part: p x p array} for the Hessian
    files present (``loss``, ``outer``, ``functional``); ``hessians_omitted``: {part: reason} for those the CLI left
    out. ``ranks``: exact ranks (formats 1 and 3), else None; ``intervals``: certified intervals (format 2), else
    None. ``exact_hessians``: the Hessian files hold the true Hessians exactly (formats 1 and 3) rather than rounded
    (format 2). ``architecture`` (dense) or ``input`` and ``layers`` (CNNs); ``upper_bounds``: the tightest bound
    proven at the point, per part (format 3). ``case``: case.json itself.
    """
    path: pathlib.Path
    name: str
    format_version: int
    kind: str
    activation: str
    loss_function: str
    bias: bool
    samples: int
    seed: int
    parameters: int
    weights: List[np.ndarray] = field(repr=False)
    biases: Optional[List[Optional[np.ndarray]]] = field(repr=False)
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    hessians: Dict[str, np.ndarray] = field(repr=False)
    hessians_omitted: Dict[str, str]
    ranks: Optional[Dict[str, int]]
    intervals: Optional[Dict[str, PartInterval]]
    formula: Optional[Dict[str, int]]
    exact_hessians: bool
    architecture: Optional[Tuple[int, ...]]
    input: Optional[Tuple[int, ...]]
    layers: Optional[str]
    upper_bounds: Optional[Dict[str, Bound]]
    case: Dict[str, Any] = field(repr=False)

    @property
    def theta(self) -> np.ndarray:
        """All parameters as one vector in PyTorch's order (``model.parameters()``): per layer the weight
        row-major, then its bias; the order of every Hessian's rows and columns."""
        pieces = []
        for t, w in enumerate(self.weights):
            pieces.append(np.asarray(w).reshape(-1))
            if self.biases is not None and self.biases[t] is not None:
                pieces.append(np.asarray(self.biases[t]).reshape(-1))
        return np.concatenate(pieces)


def _sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify_manifest(folder: pathlib.Path) -> None:
    """Checks the case's files against ../manifest.json, if there is one."""
    manifest_path = folder.parent / "manifest.json"
    if not manifest_path.is_file():
        return
    manifest = json.loads(manifest_path.read_text())
    entries = [entry for entry in manifest.get("cases", []) if entry.get("name") == folder.name]
    if not entries:
        raise FixtureError(f"{manifest_path} lists no case named {folder.name!r}: the fixture is incomplete or "
                           "not written by this manifest's run")
    for filename, expected in sorted(entries[0]["files"].items()):
        path = folder / filename
        if not path.is_file():
            raise FixtureError(f"{path}: missing, but {manifest_path} lists it")
        actual = _sha256(path)
        if actual != expected:
            raise FixtureError(f"{path}: SHA-256 {actual} does not match {expected} in {manifest_path}")


def load_fixture(path: PathLike, *, verify: bool = True) -> Fixture:
    """Reads one fixture case folder (the one holding case.json) of any format (1, 2 or 3).

    With ``verify`` (the default), when the folder's parent holds manifest.json, every file the manifest lists for
    this case must exist with that SHA-256 (else FixtureError); without a manifest nothing is checked.
    """
    folder = pathlib.Path(path)
    case_path = folder / "case.json"
    if not case_path.is_file():
        hint = " (it holds manifest.json: load_fixtures reads every case)" if (folder / "manifest.json").is_file() else ""
        raise FixtureError(f"{folder}: no case.json, so not a fixture case folder{hint}")
    if verify:
        _verify_manifest(folder)
    case = json.loads(case_path.read_text())
    version = case.get("formatVersion")
    if version not in FORMAT_VERSIONS:
        raise FixtureError(f"{case_path}: format version {version}; this package reads versions 1, 2 and 3")

    def load(name: str) -> np.ndarray:
        return np.load(folder / name, allow_pickle=False)

    convolutional = version == 3
    if convolutional:
        depth = len(case["weightShapes"])
        with_bias = set(case.get("biasLayers", []))
        biases: Optional[List[Optional[np.ndarray]]] = (
            [load(f"b{t}.npy") if t in with_bias else None for t in range(1, depth + 1)] if with_bias else None)
    else:
        depth = len(case["architecture"]) - 1
        biases = [load(f"b{t}.npy") for t in range(1, depth + 1)] if case.get("bias", False) else None
    weights = [load(f"w{t}.npy") for t in range(1, depth + 1)]
    listed = set(case.get("hessianFiles", []))
    hessians = {part: load(f"hessian_{part}.npy") for part in PARTS if f"hessian_{part}.npy" in listed}
    formula = case.get("formula")
    intervals = None
    if "intervals" in case:
        intervals = {}
        for part in PARTS:
            entry = case["intervals"][part]
            intervals[part] = PartInterval(
                part=part, lower=int(entry["lower"]), upper=int(entry["upper"]), exact=bool(entry["exact"]),
                upper_statement=entry["upperStatement"], basis=entry["basis"],
                precision_bits=entry.get("precisionBits"),
                formula=None if not formula else formula.get(part))
    upper_bounds = None
    if "upperBounds" in case:
        upper_bounds = {part: Bound(statement=entry["statement"], value=int(entry["value"]), basis=None)
                        for part, entry in case["upperBounds"].items()}
    return Fixture(
        path=folder, name=folder.name, format_version=version,
        kind="convolutional" if convolutional else "dense", activation=case.get("activation", "linear"),
        loss_function=case.get("loss", "mse"), bias=biases is not None, samples=int(case["samples"]),
        seed=int(case["seed"]), parameters=int(case["parameters"]), weights=weights, biases=biases,
        x=load("x.npy"), y=load("y.npy"), hessians=hessians, hessians_omitted=dict(case.get("hessianFilesOmitted", {})),
        ranks={part: int(case["ranks"][part]) for part in PARTS} if "ranks" in case else None,
        intervals=intervals,
        formula={key: int(value) for key, value in formula.items()} if formula else None,
        exact_hessians=version in (1, 3) and not case.get("hessianFilesRounded", False),
        architecture=None if convolutional else tuple(case["architecture"]),
        input=tuple(case["input"]) if convolutional else None, layers=case.get("layers"),
        upper_bounds=upper_bounds, case=case)


def load_fixtures(path: PathLike, *, verify: bool = True) -> List[Fixture]:
    """Every case of a fixtures folder, in its manifest's order (or, without a manifest, every subfolder holding
    case.json, by name); a case folder itself gives a list of one."""
    folder = pathlib.Path(path)
    if (folder / "case.json").is_file():
        return [load_fixture(folder, verify=verify)]
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file():
        names = [entry["name"] for entry in json.loads(manifest_path.read_text()).get("cases", [])]
    elif folder.is_dir():
        names = sorted(child.name for child in folder.iterdir() if (child / "case.json").is_file())
    else:
        raise FixtureError(f"{folder}: no such folder")
    if not names:
        raise FixtureError(f"{folder}: no fixture cases (no manifest.json listing cases, no subfolder with case.json)")
    return [load_fixture(folder / name, verify=verify) for name in names]


def fixtures(out: PathLike, **options: Any) -> List[pathlib.Path]:
    """Runs `hessian-rank fixtures --out OUT [options]` and returns the case folders it wrote, in manifest order
    (read each with load_fixture).

    Options, as the CLI's (``fixtures --help``): ``preset`` (``default``, ``demo``, ``conv``), ``activation``,
    ``loss``, ``arch`` (or ``architecture``: a sequence of widths or ``"4,3,2"``), ``bias`` (bool), ``samples``,
    ``seed``, ``data_rank``, ``max_memory``, ``input`` ((C, H, W) or ``"1x6x6"``) and ``layers`` (a string or a list
    of layer items) for a CNN, and ``x``, ``y``: arrays (written as x.npy / y.npy to a private temporary directory)
    or paths of .npy files. OUT's parent folder must exist. Bad input raises HessianRankError with the CLI's message.
    """
    out_path = pathlib.Path(out).resolve()
    arguments = ["fixtures", "--out", str(out_path)]
    for name, value in options.items():
        if name in ("x", "y"):
            continue
        if name not in _OPTIONS:
            accepted = ", ".join(sorted(set(_OPTIONS) | {"x", "y"}))
            raise TypeError(f"fixtures() got an unexpected option {name!r}; accepted: {accepted}")
        if value is None or value is False:
            continue
        flag = _OPTIONS[name]
        if value is True:
            arguments.append(flag)
        elif name in ("arch", "architecture", "input") and not isinstance(value, str):
            arguments += [flag, ("x" if name == "input" else ",").join(str(int(n)) for n in value)]
        elif name == "layers" and not isinstance(value, str):
            arguments += [flag, ",".join(value)]
        else:
            arguments += [flag, str(value)]
    with tempfile.TemporaryDirectory(prefix="hessian-rank-") as directory:
        for name in ("x", "y"):
            value = options.get(name)
            if value is None:
                continue
            if isinstance(value, (str, os.PathLike)):
                arguments += [f"--{name}", str(pathlib.Path(value).resolve())]
            else:
                _arrays.save(pathlib.Path(directory), f"{name}.npy", value, name)
                arguments += [f"--{name}", f"{name}.npy"]
        run(arguments, cwd=directory)
    manifest: Mapping[str, Any] = json.loads((out_path / "manifest.json").read_text())
    return [out_path / entry["name"] for entry in manifest["cases"]]
