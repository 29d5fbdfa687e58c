"""rank() and rank_drawn(): `hessian-rank rank --json` from Python."""
from __future__ import annotations

import json
import pathlib
import tempfile
from typing import Any, List, Optional, Sequence, Union

from . import _arrays
from ._binary import run
from .results import ConvRankResult, IntervalResult, RankResult, Result, parse_rank_json


def _common_options(activation: str, loss: str, certify: bool, seed: Optional[int]) -> List[str]:
    options = ["--activation", str(activation), "--loss", str(loss)]
    if certify:
        options.append("--certify")
    if seed is not None:
        options += ["--seed", str(int(seed))]
    return options


def rank(weights: Sequence[Any], x: Any, y: Any, *, biases: Optional[Sequence[Any]] = None,
         activation: str = "linear", loss: str = "mse", certify: bool = False,
         seed: Optional[int] = None) -> Union[RankResult, IntervalResult]:
    """The exact ranks of H_L, H_O and H_F at your weights, data and targets.

    ``weights``: [W_1, ..., W_L], W_t of shape (M_t, M_{t-1}) (as ``nn.Linear.weight`` stores it); ``biases``: None,
    or [b_1, ..., b_L], each with M_t values; ``x``: N x d; ``y``: N x K. Arrays or anything ``numpy.asarray``
    takes; float64 and float32 values are used exactly (each is an integer times a power of two), integers too.
    ``activation``: ``linear``, ``relu`` or ``leaky-relu:a/b`` (exact ranks), or ``tanh``, ``sigmoid`` or ``elu``
    (certified intervals); ``loss``: ``mse``, or ``cross-entropy`` or ``log-cosh`` (certified intervals, linear or
    smooth hidden layers; cross-entropy targets must be probability vectors, rows summing to exactly 1). ``certify``:
    certify every rank exactly (slower). ``seed``: passed on as ``--seed`` (with every value from files it only
    labels the run).

    The arrays are written as .npy files to a private temporary directory, removed afterwards whatever happens,
    and `hessian-rank rank --weights DIR --x x.npy --y y.npy --json` runs there. Returns a RankResult, or an
    IntervalResult for a smooth activation or another loss (the intervals at exactly these values). Bad
    input raises HessianRankError with the CLI's message (files named w1.npy ..., b1.npy ..., x.npy, y.npy in a
    folder ``weights``).
    """
    if isinstance(weights, (str, bytes, pathlib.Path)) or not isinstance(weights, Sequence):
        raise TypeError("weights: give a list of 2-D arrays [W_1, ..., W_L]")
    if biases is not None and (isinstance(biases, (str, bytes, pathlib.Path)) or not isinstance(biases, Sequence)):
        raise TypeError("biases: give None or a list of 1-D arrays [b_1, ..., b_L]")
    stdout = _run_on_files(weights, biases or [], x, y, _common_options(activation, loss, certify, seed))
    result = parse_rank_json(json.loads(stdout))
    assert isinstance(result, (RankResult, IntervalResult))
    return result


def _run_on_files(weights: Sequence[Any], biases: Sequence[Any], x: Any, y: Any, options: List[str]) -> str:
    """Writes the arrays as .npy files in a private temporary directory (mode 700, removed when this returns or
    raises): weights/w1.npy ..., weights/b_t.npy for each entry of ``biases`` that is not None, x.npy and y.npy; runs
    `hessian-rank rank --weights weights --x x.npy --y y.npy --json OPTIONS...` there and returns its stdout."""
    with tempfile.TemporaryDirectory(prefix="hessian-rank-") as directory:
        folder = pathlib.Path(directory)
        (folder / "weights").mkdir()
        for t, w in enumerate(weights, start=1):
            _arrays.save(folder / "weights", f"w{t}.npy", w, f"weights[{t - 1}]")
        for t, b in enumerate(biases, start=1):
            if b is not None:
                _arrays.save(folder / "weights", f"b{t}.npy", b, f"biases[{t - 1}]")
        _arrays.save(folder, "x.npy", x, "x")
        _arrays.save(folder, "y.npy", y, "y")
        arguments = ["rank", "--weights", "weights", "--x", "x.npy", "--y", "y.npy", "--json"]
        stdout, _ = run(arguments + options, cwd=directory)
    return stdout


def rank_file(path: Union[str, pathlib.Path], x: Any = None, y: Any = None, *, input: Any = None, layers: Any = None,
              activation: str = "linear", loss: str = "mse", certify: bool = False,
              seed: Optional[int] = None) -> Union[RankResult, ConvRankResult]:
    """The exact ranks at the weights of one file or folder: `hessian-rank rank --weights PATH --json`.

    ``path``: a ``.npz`` (``numpy.savez`` or ``savez_compressed``), a ``.safetensors`` file, or a folder of .npy files,
    with keys ``w1 ... wL``, optionally ``b1 ... bL``, ``x`` and ``y`` (docs/weights.md). ``x``, ``y``: the data and
    targets when the file does not hold them (arrays, written to a private temporary directory, or paths of .npy
    files). ``input`` and ``layers`` (as for rank_cnn) read a linear CNN's weights in PyTorch's shapes. The file is
    read by the CLI itself, so its errors name the file and the key (HessianRankError).
    """
    if not isinstance(path, (str, pathlib.Path)):
        raise TypeError("path: give the path of a .npz or .safetensors file or of a folder of .npy files")
    options = ["--weights", str(pathlib.Path(path).resolve()), "--json"]
    if (input is None) != (layers is None):
        raise TypeError("input and layers go together (a linear CNN), or neither (a dense network)")
    if input is not None:
        options += ["--input", _shape_text(input, "x"), "--layers", ",".join(_layer_items(layers))]
        if certify:
            options.append("--certify")
        if seed is not None:
            options += ["--seed", str(int(seed))]
    else:
        options += _common_options(activation, loss, certify, seed)
    with tempfile.TemporaryDirectory(prefix="hessian-rank-") as directory:
        for option, value, name in (("--x", x, "x.npy"), ("--y", y, "y.npy")):
            if value is None:
                continue
            if isinstance(value, (str, pathlib.Path)):
                options += [option, str(pathlib.Path(value).resolve())]
            else:
                _arrays.save(pathlib.Path(directory), name, value, option[2:])
                options += [option, name]
        stdout, _ = run(["rank"] + options, cwd=directory)
    result = parse_rank_json(json.loads(stdout))
    assert isinstance(result, (RankResult, ConvRankResult))
    return result


def _layer_items(layers: Any) -> List[str]:
    if isinstance(layers, str):
        return layers.split(",")
    if isinstance(layers, Sequence) and all(isinstance(item, str) for item in layers):
        return list(layers)
    raise TypeError("layers: give the CLI's text (\"conv:2:3:same,dense:10\") or a list of such items")


def rank_cnn(input: Any, layers: Any, weights: Sequence[Any], x: Any, y: Any, *, biases: Optional[Sequence[Any]] = None,
             certify: bool = False, seed: Optional[int] = None) -> ConvRankResult:
    """The exact ranks of H_L, H_O and H_F of a linear CNN at your weights, data and targets:
    `hessian-rank rank --input INPUT --layers LAYERS --weights ...`.

    ``input``: (C, H, W) or (C, L), or ``"1x8x8"``; ``layers``: ``"conv:C:k[:sS][:same][:bias],...,dense:K[:bias]"``
    or a list of such items (convolutions first, then dense layers; no activations: linear CNNs only).
    ``weights``: [w_1, ..., w_L] in PyTorch's shapes ((C, C_in, k) or (C, C_in, k, k) as ``Conv1d/Conv2d.weight``,
    (K, in) as ``Linear.weight``); ``biases``: None, or one entry per layer, the bias (C or K values) of each layer
    marked ``:bias`` in ``layers`` and None for the others. ``x``: N x C x H x W (N x C x L) or flattened, N x (C H W);
    ``y``: N x K. float64 and float32 values are used exactly (each is an integer times a power of two), integers too.
    ``certify``: certify every rank exactly (slower); ``seed``: passed on (it only labels the run).

    The arrays are written as weights/w1.npy ..., weights/b_t.npy, x.npy and y.npy in a private temporary directory
    (removed afterwards) and `rank --input --layers --weights weights --x x.npy --y y.npy --json` runs there. Returns a
    ConvRankResult (its ``input_exponents`` the powers of two of the files' values). Shapes that do not fit ``input``
    and ``layers``, NaN or infinity raise HessianRankError with the CLI's message.
    """
    items = _layer_items(layers)
    if isinstance(weights, (str, bytes, pathlib.Path)) or not isinstance(weights, Sequence):
        raise TypeError("weights: give a list of arrays [w_1, ..., w_L] in PyTorch's shapes")
    with_bias = ["bias" in item.split(":")[1:] for item in items]
    if biases is None:
        biases = [None] * len(items)
        if any(with_bias):
            named = ", ".join(f"{t + 1} ({items[t]})" for t, b in enumerate(with_bias) if b)
            raise ValueError(f"rank_cnn: layer(s) {named} have a bias: give biases, one entry per layer (None for a "
                             "layer without)")
    if isinstance(biases, (str, bytes, pathlib.Path)) or not isinstance(biases, Sequence):
        raise TypeError("biases: give None or a list with one entry per layer (None for a layer without a bias)")
    if len(biases) != len(items):
        raise ValueError(f"rank_cnn: {len(biases)} biases for {len(items)} layers: give one entry per layer (None for "
                         "a layer without a bias)")
    for t, (b, has) in enumerate(zip(biases, with_bias)):
        if (b is not None) != has:
            raise ValueError(f"rank_cnn: layer {t + 1} ({items[t]}) " + (
                f"has a bias but biases[{t}] is None" if has else
                f"has no bias but biases[{t}] is given: mark it :bias in layers, or pass None"))
    options = ["--input", _shape_text(input, "x"), "--layers", ",".join(items)]
    if certify:
        options.append("--certify")
    if seed is not None:
        options += ["--seed", str(int(seed))]
    result = parse_rank_json(json.loads(_run_on_files(weights, biases, x, y, options)))
    assert isinstance(result, ConvRankResult)
    return result


def _shape_text(shape: Any, separator: str) -> str:
    if isinstance(shape, str):
        return shape
    return separator.join(str(int(n)) for n in shape)


def rank_drawn(architecture: Any = None, *, samples: Optional[int] = None, input: Any = None, layers: Any = None,
               bias: bool = False, activation: str = "linear", loss: str = "mse", seed: Optional[int] = None,
               data_rank: Optional[int] = None, certify: bool = False, point: Optional[str] = None,
               x: Any = None, y: Any = None) -> Result:
    """The ranks of a network whose weights `hessian-rank` draws from ``seed`` (integers), as ``rank --arch`` or,
    for a linear CNN, ``rank --input --layers`` (ConvRankResult; rank_cnn ranks one at your weights). The only way,
    for now, to the certified intervals of cross-entropy, log-cosh, tanh, sigmoid and elu (IntervalResult): the CLI
    reads no weight files there.

    ``architecture``: all widths (d, M_1, ..., K), a sequence or ``"3,2,2"``; or ``input`` (C, H, W) / ``"1x8x8"``
    with ``layers`` (``"conv:2:3:same,dense:10"`` or a list of such items). ``x``, ``y``: your data and targets
    instead of drawn ones (dense networks; ``--x``/``--y``, written to a private temporary directory), then N comes
    from ``x`` (``samples``, if given, must match it); otherwise ``samples`` (N) is required. ``point``: ``integer``
    or ``normalized`` (certified intervals). Bad input raises HessianRankError with the CLI's message.
    """
    arguments = ["rank", "--json"] + _common_options(activation, loss, certify, seed)
    if samples is not None:
        arguments += ["--samples", str(int(samples))]
    if (architecture is None) == (input is None):
        raise TypeError("rank_drawn: give either architecture (a dense network) or input and layers (a CNN)")
    if architecture is not None:
        arguments += ["--arch", _shape_text(architecture, ",")]
    else:
        if layers is None:
            raise TypeError("rank_drawn: a CNN needs layers as well as input")
        arguments += ["--input", _shape_text(input, "x"), "--layers", ",".join(_layer_items(layers))]
    if bias:
        arguments.append("--bias")
    if data_rank is not None:
        arguments += ["--data-rank", str(int(data_rank))]
    if point is not None:
        arguments += ["--point", str(point)]
    with tempfile.TemporaryDirectory(prefix="hessian-rank-") as directory:
        if x is not None:
            _arrays.save(pathlib.Path(directory), "x.npy", x, "x")
            arguments += ["--x", "x.npy"]
        if y is not None:
            _arrays.save(pathlib.Path(directory), "y.npy", y, "y")
            arguments += ["--y", "y.npy"]
        stdout, _ = run(arguments, cwd=directory)
    return parse_rank_json(json.loads(stdout))
