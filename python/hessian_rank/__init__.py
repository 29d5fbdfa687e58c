"""HessianRank from Python: exact ranks of neural-network Hessians at NumPy or PyTorch weights.

The computing is done by the `hessian-rank` executable (see find_binary for where it is looked for); this package
writes your arrays as .npy files to a private temporary directory, runs the CLI with --json and returns typed results.
Documentation: docs/python.md in the HessianRank repository.
"""
from ._binary import find_binary
from ._rank import rank, rank_cnn, rank_drawn, rank_file
from ._torch import leaky_relu_slope, rank_torch
from .errors import BinaryNotFoundError, FixtureError, HessianRankError, HessianRankFailure
from .fixtures import Fixture, fixtures, load_fixture, load_fixtures
from .results import (PARTS, Bound, ConvRankResult, IntervalResult, Method, PartInterval, PartRank, RankResult,
                      parse_rank_json)

__version__ = "0.1.0"

__all__ = [
    "PARTS", "BinaryNotFoundError", "Bound", "ConvRankResult", "Fixture", "FixtureError", "HessianRankError",
    "HessianRankFailure", "IntervalResult", "Method", "PartInterval", "PartRank", "RankResult", "find_binary",
    "fixtures", "leaky_relu_slope", "load_fixture", "load_fixtures", "parse_rank_json", "rank", "rank_cnn",
    "rank_drawn", "rank_file", "rank_torch",
]
