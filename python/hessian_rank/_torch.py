"""rank_torch(): a torch.nn.Sequential's parameters, ranked by rank(). torch is imported only when called."""
from __future__ import annotations

from fractions import Fraction
from typing import Any, List, Optional, Tuple

import numpy as np

from ._rank import rank, rank_cnn
from .results import ConvRankResult, IntervalResult, RankResult

# The CLI's bound on a leaky-relu slope's numerator and denominator (Sources/NetworkModel/Activation.swift).
MAXIMUM_SLOPE_TERM = 1 << 16


def leaky_relu_slope(negative_slope: float) -> Fraction:
    """The rational slope a/b that a float ``negative_slope`` stands for: the fraction with |a|, b <= 2^16 whose
    nearest double is ``negative_slope`` (there is at most one). Exact dyadic slopes (0.125 = 1/8) are themselves;
    decimals such as PyTorch's default 0.01 become 1/100, the rational the float was written for. Any other float
    (0.123456789, 1e-7) is refused with ValueError: its exact value as a fraction has a denominator up to 2^1074,
    which the exact Hessians cannot carry."""
    value = float(negative_slope)
    if not np.isfinite(value):
        raise ValueError(f"LeakyReLU(negative_slope={negative_slope!r}): the slope must be finite")
    candidate = Fraction(value).limit_denominator(MAXIMUM_SLOPE_TERM)
    if float(candidate) == value and abs(candidate.numerator) <= MAXIMUM_SLOPE_TERM:
        return candidate
    raise ValueError(
        f"LeakyReLU(negative_slope={negative_slope!r}) is not a small rational: exact ranks need the slope as a "
        f"fraction a/b with |a| and b at most 2^16 whose nearest float64 is the slope (0.01 = 1/100, 0.125 = 1/8, "
        f"0.2 = 1/5); {value!r} is none. Use such a slope, or pass its fraction yourself: "
        "rank(weights, x, y, activation='leaky-relu:a/b')")


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _modules(model: Any, torch: Any) -> List[Any]:
    """The Sequential's layers, nested Sequentials flattened."""
    layers = []
    for module in model:
        if isinstance(module, torch.nn.Sequential):
            layers += _modules(module, torch)
        else:
            layers.append(module)
    return layers


def _pair(value: Any) -> Tuple[int, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _describe(index: int, module: Any) -> str:
    return f"layer {index} ({module})"


def _conv_network(layers: List[Any], x_shape: Tuple[int, ...], torch: Any) -> Tuple[str, List[str], List[Any], List[Any]]:
    """The linear CNN of a Sequential of Conv1d/Conv2d layers, a Flatten and Linear layers, as the CLI takes it:
    (``--input``, the ``--layers`` items, the weights, the biases with None for a layer without). Anything else
    raises ValueError naming the layer and why."""
    spatial = len(x_shape) - 2
    if spatial not in (1, 2):
        raise ValueError(f"rank_torch: a model with convolutions needs x as a batch N x C x L (Conv1d) or N x C x H x W "
                         f"(Conv2d); got shape {tuple(x_shape)}")
    conv_type = torch.nn.Conv1d if spatial == 1 else torch.nn.Conv2d
    linear_only = ("HessianRank ranks linear CNNs: Conv1d/Conv2d layers, then a Flatten and Linear layers, with no "
                   "activation between them")
    items: List[str] = []
    weights: List[Any] = []
    biases: List[Any] = []
    flattened = False
    for index, module in enumerate(layers):
        if isinstance(module, (torch.nn.Conv1d, torch.nn.Conv2d)):
            if flattened:
                raise ValueError(f"rank_torch: {_describe(index, module)} comes after the Flatten; {linear_only}")
            if not isinstance(module, conv_type):
                raise ValueError(f"rank_torch: {_describe(index, module)} does not fit x of shape {tuple(x_shape)} "
                                 f"({spatial} spatial axis{'es' if spatial == 2 else ''})")
            kernel, stride, padding = _pair(module.kernel_size), _pair(module.stride), module.padding
            problems = []
            if len(set(kernel)) != 1:
                problems.append(f"kernel_size {module.kernel_size} is not square")
            if len(set(stride)) != 1:
                problems.append(f"stride {module.stride} differs between axes")
            if set(_pair(module.dilation)) != {1}:
                problems.append(f"dilation {module.dilation}")
            if module.groups != 1:
                problems.append(f"groups={module.groups}")
            if module.padding_mode != "zeros":
                problems.append(f"padding_mode='{module.padding_mode}'")
            k, s = kernel[0], stride[0]
            if padding == "valid" or (not isinstance(padding, str) and set(_pair(padding)) == {0}):
                pad = ""
            elif s == 1 and (padding == "same" or (not isinstance(padding, str) and k % 2 == 1
                                                   and set(_pair(padding)) == {(k - 1) // 2})):
                pad = ":same"
            else:
                pad = None
                problems.append(f"padding {padding!r} with stride {module.stride}")
            if problems:
                raise ValueError(f"rank_torch: {_describe(index, module)}: " + "; ".join(problems) + ". HessianRank's "
                                 "convolutions have square kernels, one stride, dilation 1, groups 1 and zero padding: "
                                 "0 ('valid'), or 'same' with stride 1")
            items.append(f"conv:{module.out_channels}:{k}" + (f":s{s}" if s != 1 else "") + (pad or "")
                         + (":bias" if module.bias is not None else ""))
        elif isinstance(module, torch.nn.Flatten):
            if flattened or not items or module.start_dim != 1 or module.end_dim != -1:
                raise ValueError(f"rank_torch: {_describe(index, module)}: give one Flatten (start_dim=1) after the "
                                 f"convolutions; {linear_only}")
            flattened = True
            continue
        elif isinstance(module, torch.nn.Linear):
            if not flattened:
                raise ValueError(f"rank_torch: {_describe(index, module)} before a Flatten: put a Flatten between "
                                 f"the convolutions and the Linear layers; {linear_only}")
            items.append(f"dense:{module.out_features}" + (":bias" if module.bias is not None else ""))
        else:
            kind = type(module).__name__
            activation = isinstance(module, (torch.nn.ReLU, torch.nn.LeakyReLU, torch.nn.Tanh, torch.nn.Sigmoid,
                                             torch.nn.ELU, torch.nn.GELU))
            raise ValueError(f"rank_torch: {_describe(index, module)} is not supported in a model with convolutions: "
                             + linear_only + (f" ({kind} CNNs are not supported yet)" if activation else ""))
        weights.append(_numpy(module.weight))
        biases.append(None if module.bias is None else _numpy(module.bias))
    return "x".join(str(n) for n in x_shape[1:]), items, weights, biases


def rank_torch(model: Any, x: Any, y: Any, **kwargs: Any) -> RankResult | IntervalResult | ConvRankResult:
    """rank() on the parameters of a ``torch.nn.Sequential`` of Linear layers with activations between them, or
    rank_cnn() on those of a linear CNN.

    Supported: ``Linear`` (every layer with a bias, or none), between consecutive Linear layers one ``ReLU``,
    ``LeakyReLU`` (its negative_slope read as a small rational, see leaky_relu_slope), ``Tanh``, ``Sigmoid`` or
    ``ELU`` (alpha = 1, the default) (the same one everywhere) or nothing (a linear network); a ``Flatten`` before the first Linear (x is then flattened as torch
    would). Nested Sequentials are flattened. No activation after the last Linear: the loss is
    1/2 sum ||f(x_n) - y_n||^2 on its outputs. ``x`` and ``y``: tensors or arrays. Other keyword arguments go to
    rank() (``certify``, ``seed``, ``loss``).

    The parameters are ranked at their values as they are (float32 values are exact rationals too), in PyTorch's
    order. Tanh, Sigmoid and ELU networks (or ``loss="cross-entropy"`` / ``"log-cosh"``) give an IntervalResult:
    certified rank intervals at exactly these values.

    A linear CNN: ``Conv1d``/``Conv2d`` layers (each with a bias or not; square kernels, one stride, padding 0 /
    ``'valid'``, or ``'same'`` (or (k - 1) / 2 for an odd k) with stride 1; dilation 1, groups 1, zero padding), then
    one ``Flatten`` and ``Linear`` layers, no activation anywhere (ReLU CNNs raise ValueError), on x of shape
    N x C x L or N x C x H x W; ranked by rank_cnn as ``--input C x H x W --layers conv:C:k[:sS][:same][:bias],...,
    dense:K[:bias]`` (a ConvRankResult). Other keyword arguments go to rank_cnn (``certify``, ``seed``).
    """
    import torch  # only here: the package imports without torch

    for name in ("activation", "biases"):
        if name in kwargs:
            raise TypeError(f"rank_torch: {name} comes from the model; leave it out")
    if not isinstance(model, torch.nn.Sequential):
        raise TypeError(f"rank_torch: give a torch.nn.Sequential, not {type(model).__name__}")
    layers = _modules(model, torch)
    x_array, y_array = _numpy(x), _numpy(y)
    if any(isinstance(module, (torch.nn.Conv1d, torch.nn.Conv2d)) for module in layers):
        input_shape, items, conv_weights, conv_biases = _conv_network(layers, x_array.shape, torch)
        if not items[-1].startswith("dense"):
            y_array = y_array.reshape(y_array.shape[0], -1)   # the last convolution's map, flattened as torch does
        return rank_cnn(input_shape, items, conv_weights, x_array, y_array, biases=conv_biases, **kwargs)

    weights, biases, activations = [], [], []
    gap: List[Any] = []           # the activation modules since the last Linear
    flatten_first = False
    supported = (torch.nn.ReLU, torch.nn.LeakyReLU, torch.nn.Tanh, torch.nn.Sigmoid, torch.nn.ELU)
    for index, module in enumerate(layers):
        if isinstance(module, torch.nn.Linear):
            if weights:
                if len(gap) > 1:
                    raise ValueError(f"rank_torch: layers {index - len(gap)}...{index - 1} are {len(gap)} "
                                     "activations in a row; give at most one between two Linear layers")
                activations.append(gap[0] if gap else None)
            elif gap:
                raise ValueError("rank_torch: an activation before the first Linear layer; the network starts with "
                                 "a Linear layer")
            gap = []
            weights.append(_numpy(module.weight))
            biases.append(None if module.bias is None else _numpy(module.bias))
        elif isinstance(module, supported):
            gap.append(module)
        elif isinstance(module, torch.nn.Flatten) and not weights and not gap:
            flatten_first = True
        else:
            raise ValueError(f"rank_torch: layer {index} ({type(module).__name__}) is not supported; a Sequential of "
                             "Linear layers with ReLU, LeakyReLU, Tanh, Sigmoid or ELU between them (and a Flatten first) is")
    if not weights:
        raise ValueError("rank_torch: the model has no Linear layer")
    if gap:
        raise ValueError(f"rank_torch: {type(gap[0]).__name__} after the last Linear layer; the loss "
                         "1/2 sum ||f(x) - y||^2 is on the last Linear layer's outputs, so leave it out")
    with_bias = [b is not None for b in biases]
    if any(with_bias) and not all(with_bias):
        listing = ", ".join(f"Linear {t + 1}: {'bias' if b else 'no bias'}" for t, b in enumerate(with_bias))
        raise ValueError(f"rank_torch: every Linear layer needs a bias, or none ({listing}); HessianRank ranks "
                         "networks with a bias in every layer or in none")

    names = set()
    for module in activations:
        if module is None:
            names.add("linear")
        elif isinstance(module, torch.nn.ReLU):
            names.add("relu")
        elif isinstance(module, torch.nn.Tanh):
            names.add("tanh")
        elif isinstance(module, torch.nn.Sigmoid):
            names.add("sigmoid")
        elif isinstance(module, torch.nn.ELU):
            if module.alpha != 1.0:
                raise ValueError(f"rank_torch: ELU(alpha={module.alpha!r}): HessianRank's elu has alpha = 1 "
                                 "(z for z > 0, e^z - 1 otherwise), PyTorch's default")
            names.add("elu")
        else:
            slope = leaky_relu_slope(module.negative_slope)
            names.add(f"leaky-relu:{slope.numerator}/{slope.denominator}")
    if len(names) > 1:
        raise ValueError(f"rank_torch: the hidden activations differ ({', '.join(sorted(names))}); HessianRank "
                         "ranks networks with one activation after every hidden layer (or none)")
    activation = names.pop() if names else "linear"
    if flatten_first:
        x_array = x_array.reshape(x_array.shape[0], -1)
    return rank(weights, x_array, y_array, biases=biases if all(with_bias) else None, activation=activation,
                **kwargs)
