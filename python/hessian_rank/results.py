"""Typed views of `hessian-rank rank --json`.

The CLI prints one of three JSON documents (README, "JSON interface" and the sections on certified intervals and on
linear convolutional networks); each becomes one frozen dataclass, with the document itself as ``.raw``:

- RankResult: a dense network with an exact answer (linear, relu, leaky-relu; format version 6), parts PartRank;
- IntervalResult: a loss or activation whose Hessian entries are transcendental (cross-entropy, log-cosh, tanh,
  sigmoid, elu; format version 1): each part a certified interval, PartInterval;
- ConvRankResult: a linear convolutional network (``--input --layers``; format version 1), parts PartRank.

Every result has ``loss``, ``outer`` and ``functional`` (the parts H_L, H_O, H_F), ``parts`` (the same as a dict
keyed by those names) and ``raw``. Exact integers, which the JSON writes as decimal strings (seeds, primes), are
Python ints here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from .errors import HessianRankFailure

PARTS = ("loss", "outer", "functional")

# The JSON format versions this package reads (README: readers check formatVersion first).
RANK_FORMAT_VERSION = 6
INTERVAL_FORMAT_VERSION = 1
CONV_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Method:
    """How the ranks were computed (`method` in the JSON).

    ``name``: ``modular`` (modulo random 63-bit primes: each rank a proven lower bound), ``multimodular-hadamard``
    (``certify=True``: exact) or ``prime-field`` (generic mode). ``primes``: the primes used (for
    ``multimodular-hadamard`` only the largest and the smallest). ``prime_count``: how many primes. ``prime_source``:
    ``system-entropy``, ``given`` or ``certification`` (None where the JSON does not say: CNNs). ``error_bound``: an
    upper bound on the probability that a rank is below the rank over Q (for a dense network the largest of the three
    parts'; 0 when certified; None for given primes, which carry no bound).
    """
    name: str
    primes: Tuple[int, ...]
    prime_count: Optional[int]
    prime_source: Optional[str]
    error_bound: Optional[float]


@dataclass(frozen=True)
class Bound:
    """An upper bound on a rank that holds at every point: ``statement`` is its id in proofs/README.md, ``value`` the
    bound, ``basis`` ``proved here`` or ``cited`` (None where the JSON does not say: CNNs)."""
    statement: str
    value: int
    basis: Optional[str]


@dataclass(frozen=True)
class PartRank:
    """The rank of one part (H_L ``loss``, H_O ``outer`` or H_F ``functional``) where the answer is a rank.

    ``rank`` is always a proven lower bound on the rank over Q; ``exact`` says it is the rank over Q exactly (it meets
    an upper bound that holds at every point, or was certified with ``certify=True``); otherwise it is low with
    probability at most ``error_bound``. ``formula``: the paper's formula value (with biases the with-bias
    conjecture's; None for CNNs). ``verdict``: the comparison with the formula (README, "The main job"; None for
    CNNs). ``attained_by_proof``: True where a condition proven to attain the formula holds, False where it fails,
    None where no such condition is proven or the JSON does not say (ReLU, CNNs). ``exact_by``: the bound the rank
    meets, or None. ``upper_bound``: the tightest upper bound the JSON reports: for CNNs always, for dense networks
    only the one met (``exact_by``). ``ranked_matrix``: (rows, columns) of the matrix ranked (dense networks).
    """
    part: str
    rank: int
    exact: bool
    formula: Optional[int]
    verdict: Optional[str]
    attained_by_proof: Optional[bool]
    exact_by: Optional[Bound]
    upper_bound: Optional[Bound]
    method: Method = field(repr=False)
    error_bound: Optional[float]
    ranked_matrix: Optional[Tuple[int, int]]

    @property
    def lower(self) -> int:
        """A proven lower bound on the rank: the rank itself."""
        return self.rank

    @property
    def upper(self) -> Optional[int]:
        """A proven upper bound: the rank when exact, else the reported upper bound's value (None if none)."""
        if self.exact:
            return self.rank
        return self.upper_bound.value if self.upper_bound is not None else None


@dataclass(frozen=True)
class PartInterval:
    """A part whose rank is a certified interval (cross-entropy, log-cosh, tanh, sigmoid, elu): ``lower`` is proven
    (a minor proven nonsingular with ``precision_bits``-bit balls; ``precision_bits`` None when the lower bound is
    exact, H_O of a linear network), ``upper`` is proven by the statement ``upper_statement`` (id in
    proofs/README.md) of ``basis`` ``proved here`` or ``cited``, ``exact`` is lower == upper. ``formula``: the
    paper's formula value for comparison (K - 1 classes under cross-entropy), None where the JSON has none."""
    part: str
    lower: int
    upper: int
    exact: bool
    upper_statement: str
    basis: str
    precision_bits: Optional[int]
    formula: Optional[int]

    @property
    def rank(self) -> Optional[int]:
        """The rank when the interval is exact, else None."""
        return self.lower if self.exact else None


def _parts_property(self) -> Dict[str, Any]:
    return {part: getattr(self, part) for part in PARTS}


@dataclass(frozen=True)
class RankResult:
    """`rank --json` for a dense network with exact ranks (format version 6).

    ``architecture``: all widths (d, M_1, ..., K). ``activation``: ``linear``, ``relu`` or ``leaky-relu:a/b``.
    ``loss_function``: always ``mse``. ``samples``: N. ``seed``. ``parameters``: p. ``data_rank``: rank X.
    ``augmented_data_rank``: rank [X, 1] (with biases, else None). ``s``, ``q``: min(r, K) and min(r, K, hidden
    widths). ``conditions_hold``, ``condition_failures``: the diagnostics C1-C4 (None for ReLU). ``input_exponents``:
    the powers of two that made the inputs integers (``inputs`` in ``raw`` holds those integers).
    """
    architecture: Tuple[int, ...]
    activation: str
    bias: bool
    samples: int
    seed: int
    parameters: int
    data_rank: int
    augmented_data_rank: Optional[int]
    s: int
    q: int
    loss: PartRank
    outer: PartRank
    functional: PartRank
    method: Method
    conditions_hold: Optional[bool]
    condition_failures: Optional[Tuple[str, ...]]
    input_exponents: Mapping[str, Any]
    format_version: int
    raw: Dict[str, Any] = field(repr=False, compare=False)
    loss_function: str = "mse"

    parts = property(_parts_property)

    @property
    def ranks(self) -> Dict[str, int]:
        """{"loss": rank H_L, "outer": rank H_O, "functional": rank H_F}, as fixtures' case.json has them."""
        return {part: getattr(self, part).rank for part in PARTS}

    @property
    def exact(self) -> bool:
        """Every rank is the rank over Q exactly."""
        return all(getattr(self, part).exact for part in PARTS)


@dataclass(frozen=True)
class IntervalResult:
    """`rank --json` under cross-entropy or log-cosh or with a tanh, sigmoid or elu activation (format version 1):
    each part a certified interval. ``loss_function``: ``mse``, ``cross-entropy`` or ``log-cosh`` (the JSON's
    ``loss``). ``scaling``: the exponents of the dyadic point with ``point="normalized"``, else None. ``seed``: the
    drawn network's seed, None at your weights (rank, rank_torch), where ``input_exponents`` holds the powers of two
    that make each of your matrices an integer one (``{"weights": [a_1, ...], "biases": [...], "x": b, "y": c}``; None
    for a drawn network)."""
    architecture: Tuple[int, ...]
    activation: str
    loss_function: str
    bias: bool
    samples: int
    seed: Optional[int]
    parameters: int
    data_rank: int
    scaling: Optional[Mapping[str, Any]]
    loss: PartInterval
    outer: PartInterval
    functional: PartInterval
    format_version: int
    raw: Dict[str, Any] = field(repr=False, compare=False)
    input_exponents: Optional[Mapping[str, Any]] = None

    parts = property(_parts_property)

    @property
    def intervals(self) -> Dict[str, Tuple[int, int]]:
        """{part: (lower, upper)}."""
        return {part: (getattr(self, part).lower, getattr(self, part).upper) for part in PARTS}

    @property
    def exact(self) -> bool:
        return all(getattr(self, part).exact for part in PARTS)


@dataclass(frozen=True)
class ConvRankResult:
    """`rank --json` for a linear convolutional network (format version 1). ``input``: (C, H, W) or (C, L);
    ``layers``: the layer text (``conv:C:k[:sS][:same][:bias],...,dense:K``); ``unrolled_widths``: the widths of the
    equivalent dense network. Each part's ``method`` and ``error_bound`` are its own. ``input_exponents``: None for a
    drawn network; at your weights (rank_cnn, rank_torch), ``{"weights": [a_1, ...], "biases": [...], "x": b,
    "y": c}``, the powers of two that made the files' values integers (each bias's that of its layer's
    pre-activation, None for a layer without a bias)."""
    input: Tuple[int, ...]
    layers: str
    parameters: int
    samples: int
    seed: int
    unrolled_widths: Tuple[int, ...]
    loss: PartRank
    outer: PartRank
    functional: PartRank
    input_exponents: Optional[Dict[str, Any]]
    format_version: int
    raw: Dict[str, Any] = field(repr=False, compare=False)

    parts = property(_parts_property)

    @property
    def ranks(self) -> Dict[str, int]:
        return {part: getattr(self, part).rank for part in PARTS}

    @property
    def exact(self) -> bool:
        return all(getattr(self, part).exact for part in PARTS)


Result = Union[RankResult, IntervalResult, ConvRankResult]


def _check_version(document: Mapping[str, Any], expected: int, kind: str) -> None:
    version = document.get("formatVersion")
    if version != expected:
        raise HessianRankFailure(
            f"hessian-rank printed {kind} JSON of format version {version}; this package reads version {expected}: "
            "install the Python package from the same HessianRank checkout as the binary")


def _optional_int(value: Any) -> Optional[int]:
    return None if value is None else int(value)


def _method(entry: Mapping[str, Any]) -> Method:
    return Method(name=entry["name"], primes=tuple(int(p) for p in entry.get("primes", [])),
                  prime_count=_optional_int(entry.get("primeCount")), prime_source=entry.get("primeSource"),
                  error_bound=entry.get("errorBound"))


def _parse_dense(document: Mapping[str, Any]) -> RankResult:
    _check_version(document, RANK_FORMAT_VERSION, "rank")
    method = _method(document["method"])
    certified = method.name == "multimodular-hadamard"
    attained = document.get("attainedByProof")
    exact_by = document.get("exactBy") or {}
    ranked = document.get("rankedMatrices") or {}
    parts = {}
    for part in PARTS:
        bound = exact_by.get(part)
        bound = None if bound is None else Bound(statement=bound["statement"], value=int(bound["value"]),
                                                 basis=bound.get("basis"))
        matrix = ranked.get(part)
        parts[part] = PartRank(
            part=part, rank=int(document["ranks"][part]), exact=bound is not None or certified,
            formula=int(document["formula"][part]), verdict=document["verdicts"][part],
            attained_by_proof=None if attained is None else attained[part], exact_by=bound, upper_bound=bound,
            method=method, error_bound=method.error_bound,
            ranked_matrix=None if matrix is None else (int(matrix["rows"]), int(matrix["columns"])))
    failures = document.get("conditionFailures")
    return RankResult(
        architecture=tuple(document["architecture"]), activation=document["activation"],
        bias=bool(document.get("bias", False)), samples=int(document["samples"]), seed=int(document["seed"]),
        parameters=int(document["parameters"]), data_rank=int(document["dataRank"]),
        augmented_data_rank=_optional_int(document.get("augmentedDataRank")),
        s=int(document["formula"]["s"]), q=int(document["formula"]["q"]), method=method,
        conditions_hold=document.get("conditionsHold"),
        condition_failures=None if failures is None else tuple(failures),
        input_exponents=document.get("inputExponents", {}), format_version=document["formatVersion"],
        raw=dict(document), **parts)


def _parse_interval(document: Mapping[str, Any]) -> IntervalResult:
    _check_version(document, INTERVAL_FORMAT_VERSION, "certified-interval")
    parts = {}
    for part in PARTS:
        entry = document["parts"][part]
        parts[part] = PartInterval(
            part=part, lower=int(entry["lower"]), upper=int(entry["upper"]), exact=bool(entry["exact"]),
            upper_statement=entry["statement"], basis=entry["basis"],
            precision_bits=_optional_int(entry.get("precision")), formula=_optional_int(entry.get("formula")))
    return IntervalResult(
        architecture=tuple(document["architecture"]), activation=document["activation"],
        loss_function=document["loss"], bias=bool(document.get("bias", False)), samples=int(document["samples"]),
        seed=_optional_int(document.get("seed")), parameters=int(document["parameters"]),
        data_rank=int(document["dataRank"]), scaling=document.get("scaling"),
        input_exponents=document.get("inputExponents"), format_version=document["formatVersion"], raw=dict(document),
        **parts)


def _parse_conv(document: Mapping[str, Any]) -> ConvRankResult:
    _check_version(document, CONV_FORMAT_VERSION, "convolutional rank")
    parts = {}
    for entry in document["parts"]:
        method = Method(name=entry["method"], primes=tuple(int(p) for p in entry.get("primes", [])),
                        prime_count=None, prime_source=None, error_bound=entry.get("errorBound"))
        bound = Bound(statement=entry["upperBoundStatement"], value=int(entry["upperBound"]), basis=None)
        rank = int(entry["rank"])
        parts[entry["part"]] = PartRank(
            part=entry["part"], rank=rank, exact=bool(entry["exact"]), formula=None, verdict=None,
            attained_by_proof=None, exact_by=bound if rank == bound.value else None, upper_bound=bound,
            method=method, error_bound=method.error_bound, ranked_matrix=None)
    return ConvRankResult(
        input=tuple(int(n) for n in document["input"].split("x")), layers=document["layers"],
        parameters=int(document["parameters"]), samples=int(document["samples"]), seed=int(document["seed"]),
        unrolled_widths=tuple(document["unrolledWidths"]), input_exponents=document.get("inputExponents"),
        format_version=document["formatVersion"],
        raw=dict(document), **parts)


def parse_rank_json(document: Mapping[str, Any]) -> Result:
    """The typed result of a `hessian-rank rank --json` document (already decoded with json.loads): a RankResult,
    an IntervalResult or a ConvRankResult, by the document's shape."""
    if "layers" in document:
        return _parse_conv(document)
    if isinstance(document.get("parts"), Mapping):
        return _parse_interval(document)
    return _parse_dense(document)
