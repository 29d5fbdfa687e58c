"""Tests of the Python package `hessian_rank` (python/ in this repository).

The package is imported from this checkout's python/ folder (not an installed copy, which could be stale), and runs
the same binary as the fixture consumers: $HESSIAN_RANK, or `hessian-rank` from `swift build --show-bin-path`.
Ranks are compared with `hessian-rank rank --json` run directly and with ranks derived by hand for tiny networks.
The PyTorch tests run where torch is importable.
"""
import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys
import tempfile

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

import hessian_rank as hr  # noqa: E402
from hessian_rank import _binary, _rank  # noqa: E402
from hessian_rank.testing import check_hessians  # noqa: E402

import test_conv_fixtures  # noqa: E402
import test_fixtures  # noqa: E402
from test_fixtures import PARTS  # noqa: E402


@pytest.fixture(scope="session")
def cli():
    """The binary every test runs (the package finds it through $HESSIAN_RANK)."""
    return str(pathlib.Path(test_fixtures.binary()).resolve())


@pytest.fixture(autouse=True)
def pinned_binary(cli, monkeypatch):
    monkeypatch.setenv("HESSIAN_RANK", cli)


def network(seed, widths, samples, bias=False, scale=1):
    """Integer weights nonzero in -4...4, data and targets in -4...4, divided by `scale` (float64)."""
    rng = np.random.default_rng(seed)
    draw = lambda *shape: (rng.integers(1, 5, size=shape) * rng.choice([-1, 1], size=shape)).astype(np.float64)
    weights = [draw(widths[t + 1], widths[t]) / scale for t in range(len(widths) - 1)]
    biases = [draw(widths[t + 1]) / scale for t in range(len(widths) - 1)] if bias else None
    x = rng.integers(-4, 5, size=(samples, widths[0])) / scale
    y = rng.integers(-4, 5, size=(samples, widths[-1])) / scale
    return weights, biases, x, y


def write_layout(folder, weights, biases, x, y):
    """The files as rank() writes them: weights/w1.npy ..., weights/b1.npy ..., x.npy, y.npy."""
    (folder / "weights").mkdir(parents=True)
    for t, w in enumerate(weights, start=1):
        np.save(folder / "weights" / f"w{t}.npy", w)
    for t, b in enumerate(biases or [], start=1):
        np.save(folder / "weights" / f"b{t}.npy", b)
    np.save(folder / "x.npy", x)
    np.save(folder / "y.npy", y)


def cli_rank(cli, folder, *options):
    return subprocess.run([cli, "rank", "--weights", "weights", "--x", "x.npy", "--y", "y.npy", *options],
                          cwd=folder, capture_output=True, text=True)


# --- rank() against the CLI and against ranks derived by hand -----------------------------------------------------

@pytest.mark.parametrize("activation,bias,scale", [("linear", False, 1), ("relu", True, 8), ("leaky-relu:1/8", False, 4)])
def test_rank_equals_cli_json(cli, tmp_path, activation, bias, scale):
    """rank() returns what `rank --weights --json` prints for the same arrays (certified, so deterministic): the raw
    document (timings aside) and its typed fields."""
    weights, biases, x, y = network(3, [4, 3, 3, 2], 6, bias=bias, scale=scale)
    write_layout(tmp_path, weights, biases, x, y)
    completed = cli_rank(cli, tmp_path, "--activation", activation, "--certify", "--json")
    assert completed.returncode == 0, completed.stderr
    expected = json.loads(completed.stdout)
    result = hr.rank(weights, x, y, biases=biases, activation=activation, certify=True)
    assert isinstance(result, hr.RankResult)
    strip = lambda document: {key: value for key, value in document.items() if key != "timings"}
    assert strip(result.raw) == strip(expected)
    assert result.ranks == expected["ranks"] and result.exact
    assert result.architecture == (4, 3, 3, 2) and result.activation == activation and result.bias == bias
    assert result.parameters == expected["parameters"] and result.data_rank == expected["dataRank"]
    assert result.augmented_data_rank == expected.get("augmentedDataRank")
    assert result.method.name == "multimodular-hadamard" and result.method.error_bound == 0
    for part in PARTS:
        typed = result.parts[part]
        assert typed.rank == expected["ranks"][part] and typed.formula == expected["formula"][part]
        assert typed.verdict == expected["verdicts"][part] and typed.exact and typed.lower == typed.upper == typed.rank
        bound = expected["exactBy"][part]
        assert (typed.exact_by is None) == (bound is None)
        if bound is not None:
            assert (typed.exact_by.statement, typed.exact_by.value, typed.exact_by.basis) == \
                (bound["statement"], bound["value"], bound["basis"])
    if scale != 1:
        assert result.input_exponents["x"] > 0, "the data's powers of two reach the JSON"


def test_rank_modular_fields(tmp_path):
    """Without certify: ranks modulo a random prime, with their error bound and the primes as ints."""
    weights, _, x, y = network(4, [3, 2, 2], 5)
    result = hr.rank(weights, x, y, seed=7)
    assert result.method.name == "modular" and result.method.prime_source == "system-entropy"
    assert len(result.method.primes) == result.method.prime_count == 1 and 2 ** 62 <= result.method.primes[0] < 2 ** 63
    assert 0 < result.method.error_bound < 1e-10 and result.seed == 7 and result.samples == 5
    assert all(result.parts[part].error_bound == result.method.error_bound for part in PARTS)


@pytest.mark.parametrize("d,k,data,bias,expected", [
    (3, 2, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], False, 6),    # rank X = 3: K rank X = 6 = p
    (3, 2, [[1, 2, 3], [2, 4, 6], [0, 1, 1], [1, 3, 4]], False, 4),    # rank X = 2 (row 4 = row 1 + row 3)
    (3, 2, [[1, 2, 3], [2, 4, 6], [0, 1, 1], [1, 3, 4]], True, 6),     # rank [X, 1] = 3
    (2, 3, [[1, 1], [2, 2], [3, 3]], True, 6),                          # rank X = 1, rank [X, 1] = 2
])
def test_single_linear_layer_by_hand(d, k, data, bias, expected):
    """One layer f(x) = W x (+ b), W K x d: the loss is quadratic in W, so H_F = 0 and H_L = H_O. In the parameter
    order W row-major, H_O[(k, i), (k', j)] = delta_kk' sum_n x_ni x_nj, i.e. H_O = I_K (x) X^T X, of rank K rank X;
    with a bias, x is [x, 1] and the rank is K rank [X, 1]. Any weights and targets."""
    x = np.array(data, dtype=np.float64)
    rng = np.random.default_rng(1)
    w = rng.integers(-3, 4, size=(k, d)).astype(np.float64)
    y = rng.integers(-3, 4, size=(len(x), k)).astype(np.float64)
    result = hr.rank([w], x, y, biases=[np.ones(k)] if bias else None, certify=True)
    features = np.hstack([x, np.ones((len(x), 1))]) if bias else x
    assert expected == k * np.linalg.matrix_rank(features)
    assert result.ranks == {"loss": expected, "outer": expected, "functional": 0}


@pytest.mark.parametrize("target,expected", [(1, (1, 1, 0)), (3, (1, 1, 2)), (0, (2, 1, 2))])
def test_scalar_two_layer_network_by_hand(target, expected):
    """f(x) = w2 w1 x on one sample x = 1 with w1 = w2 = 1, target t; e = f - t = 1 - t, S = sum x^2 = 1,
    c = sum e x = 1 - t. Then H_O = S [[w2^2, w1 w2], [w1 w2, w1^2]] has rank 1, H_F = [[0, c], [c, 0]] rank 2 if
    c != 0 (else 0), and det H_L = -c (2 w1 w2 S + c): rank H_L = 2 unless c = 0 or c = -2 w1 w2 S = -2 (t = 3),
    where it is 1. So t = 1 gives (1, 1, 0), t = 3 gives (1, 1, 2): H_L of rank below H_F's, and t = 0 (2, 1, 2)."""
    result = hr.rank([np.array([[1.0]]), np.array([[1.0]])], np.array([[1.0]]), np.array([[float(target)]]),
                     certify=True)
    assert (result.loss.rank, result.outer.rank, result.functional.rank) == expected


def test_float32_and_integer_arrays_are_exact():
    """float32 and int arrays are read at their values: the same ranks as float64 copies."""
    weights, _, x, y = network(5, [3, 3, 2], 4, scale=2)
    reference = hr.rank(weights, x, y, certify=True).ranks
    assert hr.rank([w.astype(np.float32) for w in weights], x.astype(np.float32), y, certify=True).ranks == reference
    assert hr.rank([(2 * w).astype(np.int32) for w in weights], (2 * x).astype(np.int64), 8 * y,
                   certify=True).ranks == reference


def test_rank_drawn_dense_interval_and_conv(cli):
    """rank_drawn: a drawn dense network equals `rank --arch --json`; tanh and cross-entropy answers are certified
    intervals (IntervalResult), CNNs ConvRankResult, with the fields the CLI prints."""
    expected = json.loads(subprocess.run([cli, "rank", "--arch", "4,3,2", "--samples", "5", "--seed", "3", "--certify",
                                          "--json"], capture_output=True, text=True, check=True).stdout)
    dense = hr.rank_drawn([4, 3, 2], samples=5, seed=3, certify=True)
    assert isinstance(dense, hr.RankResult) and dense.ranks == expected["ranks"] and dense.seed == 3

    interval = hr.rank_drawn("6,5,5,3", samples=10, loss="cross-entropy")
    raw = json.loads(subprocess.run([cli, "rank", "--arch", "6,5,5,3", "--samples", "10", "--loss", "cross-entropy",
                                     "--json"], capture_output=True, text=True, check=True).stdout)
    assert isinstance(interval, hr.IntervalResult) and interval.raw == raw
    assert interval.loss_function == "cross-entropy" and interval.activation == "linear" and interval.scaling is None
    for part in PARTS:
        entry, typed = raw["parts"][part], interval.parts[part]
        assert (typed.lower, typed.upper, typed.exact, typed.upper_statement, typed.basis) == \
            (entry["lower"], entry["upper"], entry["exact"], entry["statement"], entry["basis"])
        assert typed.precision_bits == entry.get("precision") and typed.formula == entry.get("formula")
        assert typed.rank == (typed.lower if typed.exact else None)
    assert interval.outer.precision_bits is None and interval.outer.exact, "H_O of a linear network: exact"

    tanh = hr.rank_drawn("3,2,2", samples=4, activation="tanh", point="normalized")
    assert isinstance(tanh, hr.IntervalResult) and tanh.activation == "tanh" and tanh.scaling is not None
    assert all(tanh.intervals[part][0] <= tanh.intervals[part][1] <= tanh.parameters for part in PARTS)

    conv = hr.rank_drawn(input=(1, 5), layers=["conv:2:2:bias", "dense:2"], samples=3, certify=True)
    raw = json.loads(subprocess.run([cli, "rank", "--input", "1x5", "--layers", "conv:2:2:bias,dense:2", "--samples",
                                     "3", "--certify", "--json"], capture_output=True, text=True, check=True).stdout)
    assert isinstance(conv, hr.ConvRankResult) and conv.raw == raw and conv.input == (1, 5)
    assert conv.unrolled_widths == tuple(raw["unrolledWidths"]) and conv.exact
    for entry in raw["parts"]:
        typed = conv.parts[entry["part"]]
        assert typed.rank == entry["rank"] and typed.upper_bound.value == entry["upperBound"]
        assert typed.upper_bound.statement == entry["upperBoundStatement"] and typed.method.name == entry["method"]
        assert (typed.exact_by is not None) == (entry["rank"] == entry["upperBound"])


# --- errors -------------------------------------------------------------------------------------------------------

BAD_INPUTS = {
    "targets-columns": lambda w, x, y: ([w[0], w[1]], x, np.ones((len(x), 3))),
    "weights-chain": lambda w, x, y: ([w[0], np.ones((2, 5))], x, y),
    "data-columns": lambda w, x, y: (w, np.ones((len(x), 7)), y),
    "nan": lambda w, x, y: ([w[0] * np.nan, w[1]], x, y),
    "one-dimensional-weight": lambda w, x, y: ([w[0].reshape(-1), w[1]], x, y),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_raises_the_cli_message(cli, tmp_path, case):
    """Bad shapes and values: HessianRankError (a ValueError), whose message is the CLI's line for the same files
    (with the path of the temporary folder taken out: the CLI names some files by their absolute path)."""
    weights, _, x, y = network(2, [3, 2, 2], 4)
    bad_weights, bad_x, bad_y = BAD_INPUTS[case](weights, x, y)
    write_layout(tmp_path, bad_weights, None, bad_x, bad_y)
    completed = cli_rank(cli, tmp_path, "--json")
    assert completed.returncode == 2
    line = completed.stderr.strip().splitlines()[0]
    assert line.startswith("error: ")
    with pytest.raises(hr.HessianRankError) as raised:
        hr.rank(bad_weights, bad_x, bad_y)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == line[len("error: "):].replace(f"{tmp_path}/", "") and raised.value.returncode == 2
    assert "hessian-rank-" not in str(raised.value)


def test_unsupported_options_raise_the_cli_message():
    weights, _, x, y = network(2, [3, 2, 2], 4)
    with pytest.raises(hr.HessianRankError, match="needs probability vectors as targets"):
        hr.rank(weights, x, y, loss="cross-entropy")
    with pytest.raises(hr.HessianRankError, match="not a slope"):
        hr.rank(weights, x, y, activation="leaky-relu:abc")
    with pytest.raises(TypeError):
        hr.rank(np.ones((2, 3)), x, y)


@pytest.mark.parametrize("loss", ["mse", "log-cosh"])
def test_rank_tanh_at_weights_gives_intervals(cli, tmp_path, loss):
    """rank(..., activation="tanh") at your weights: the IntervalResult `rank --weights --json` prints (seed None,
    input_exponents given). A tanh network with hidden unit 0 duplicated (same row of W_1, same column of W_2) has
    exactly the Jacobian column space of the network with it merged (outgoing column doubled), so the same rank of
    H_O (A_n positive definite under mse and log-cosh): the merged 3,3,2 network's H_O is proven full (15), and the
    duplicated one's lower bound is 15, never more."""
    rng = np.random.default_rng(5)
    w1, w2 = rng.integers(-8, 9, (3, 3)) / 8, rng.integers(-8, 9, (2, 3)) / 8
    x, y = rng.integers(-8, 9, (20, 3)) / 8, rng.integers(-8, 9, (20, 2)) / 8
    merged = hr.rank([w1, w2 * [2, 1, 1]], x, y, activation="tanh", loss=loss)
    duplicated = hr.rank([np.vstack([w1[:1], w1]), np.hstack([w2[:, :1], w2])], x, y, activation="tanh", loss=loss)
    assert isinstance(duplicated, hr.IntervalResult) and duplicated.seed is None
    assert duplicated.input_exponents["weights"] == [3, 3] and duplicated.activation == "tanh"
    assert merged.outer.exact and merged.outer.lower == 15
    assert duplicated.outer.lower == 15 <= duplicated.outer.upper
    write_layout(tmp_path, [np.vstack([w1[:1], w1]), np.hstack([w2[:, :1], w2])], None, x, y)
    completed = cli_rank(cli, tmp_path, "--json", "--activation", "tanh", "--loss", loss)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == duplicated.raw


def run_isolated(code, cwd, env_extra, package_root):
    """`code` in a fresh Python whose hessian_rank comes from `package_root`, with PATH holding no hessian-rank."""
    env = {key: value for key, value in os.environ.items() if key != "HESSIAN_RANK"}
    empty = cwd / "empty-bin"
    empty.mkdir(exist_ok=True)
    env.update({"PATH": str(empty), "PYTHONPATH": str(package_root)}, **env_extra)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True)


def test_binary_not_found_lists_what_was_tried(tmp_path):
    """A copy of the package outside any checkout, run outside any checkout, with no $HESSIAN_RANK and nothing on
    PATH: BinaryNotFoundError (a FileNotFoundError) naming each place tried; rank() raises it too."""
    package = tmp_path / "site"
    shutil.copytree(ROOT / "python" / "hessian_rank", package / "hessian_rank")
    code = ("import hessian_rank as hr, numpy as np\n"
            "try:\n    hr.rank([np.ones((1, 1))], np.ones((1, 1)), np.ones((1, 1)))\n"
            "except FileNotFoundError as e:\n    print(type(e).__name__, '|', e)\n")
    completed = run_isolated(code, tmp_path, {}, package)
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert out.startswith("BinaryNotFoundError | cannot find the hessian-rank executable; tried: "), out
    assert "$HESSIAN_RANK (not set)" in out and "hessian-rank on $PATH (not found)" in out
    assert "a HessianRank checkout" in out and "set $HESSIAN_RANK" in out


def test_binary_search_order(cli, tmp_path):
    """$HESSIAN_RANK wins (and a wrong one is an error, not skipped); then PATH; then a checkout's
    .build/release/hessian-rank before .build/debug/hessian-rank, found from the working directory upwards."""
    package = tmp_path / "site"
    shutil.copytree(ROOT / "python" / "hessian_rank", package / "hessian_rank")
    checkout = tmp_path / "checkout"
    (checkout / "Sources" / "HessianRankCLI").mkdir(parents=True)
    (checkout / "Package.swift").write_text("// a stand-in\n")
    (checkout / "sub" / "dir").mkdir(parents=True)
    for build in ("debug", "release"):
        (checkout / ".build" / build).mkdir(parents=True)
        os.symlink(cli, checkout / ".build" / build / "hessian-rank")
    code = "import hessian_rank as hr\nprint(hr.find_binary())\n"
    found = run_isolated(code, checkout / "sub" / "dir", {}, package)
    assert found.stdout.strip() == str(checkout / ".build" / "release" / "hessian-rank"), found.stderr
    (checkout / ".build" / "release" / "hessian-rank").unlink()
    found = run_isolated(code, checkout / "sub" / "dir", {}, package)
    assert found.stdout.strip() == str(checkout / ".build" / "debug" / "hessian-rank"), found.stderr
    on_path = tmp_path / "bin"
    on_path.mkdir()
    os.symlink(cli, on_path / "hessian-rank")
    found = run_isolated(code, checkout, {"PATH": str(on_path)}, package)
    assert found.stdout.strip() == str(on_path / "hessian-rank"), found.stderr
    found = run_isolated(code, checkout, {"PATH": str(on_path), "HESSIAN_RANK": cli}, package)
    assert found.stdout.strip() == cli
    wrong = run_isolated(code, checkout, {"HESSIAN_RANK": str(tmp_path / "nothing")}, package)
    assert "BinaryNotFoundError" in wrong.stderr and "not an executable file" in wrong.stderr


def test_imports_without_torch(tmp_path):
    code = "import sys, hessian_rank, hessian_rank.testing\nprint('torch' in sys.modules)\n"
    completed = run_isolated(code, tmp_path, {}, ROOT / "python")
    assert completed.stdout.strip() == "False", completed.stderr


# --- the private temporary directory ------------------------------------------------------------------------------

@pytest.fixture
def own_tempdir(tmp_path, monkeypatch):
    """tempfile's directory pointed at an empty folder, and every CLI run's working directory recorded while it
    runs: (the folder, a list of (directory, its mode, its files))."""
    base = tmp_path / "tmp"
    base.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(base))
    seen = []
    real_run = _rank.run

    def recording_run(arguments, *, cwd=None):
        folder = pathlib.Path(cwd)
        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
        seen.append((folder, stat.S_IMODE(folder.stat().st_mode), files))
        return real_run(arguments, cwd=cwd)

    monkeypatch.setattr(_rank, "run", recording_run)
    return base, seen


def test_temporary_directory_is_private_and_removed(own_tempdir):
    base, seen = own_tempdir
    weights, biases, x, y = network(6, [3, 2, 2], 4, bias=True)
    hr.rank(weights, x, y, biases=biases)
    ((folder, mode, files),) = seen
    assert folder.parent == base and mode == 0o700
    assert files == ["weights", "weights/b1.npy", "weights/b2.npy", "weights/w1.npy", "weights/w2.npy", "x.npy", "y.npy"]
    assert list(base.iterdir()) == []


def test_rank_cnn_temporary_directory(own_tempdir):
    """rank_cnn writes w_t.npy for every layer and b_t.npy for the layers with a bias only, in the same private
    folder, removed afterwards."""
    base, seen = own_tempdir
    rng = np.random.default_rng(2)
    weights, biases = [rng.normal(size=(2, 1, 3)), rng.normal(size=(2, 12))], [None, rng.normal(size=2)]
    result = hr.rank_cnn((1, 8), "conv:2:3,dense:2:bias", weights, rng.normal(size=(3, 1, 8)), rng.normal(size=(3, 2)),
                         biases=biases)
    ((folder, mode, files),) = seen
    assert folder.parent == base and mode == 0o700 and list(base.iterdir()) == []
    assert files == ["weights", "weights/b2.npy", "weights/w1.npy", "weights/w2.npy", "x.npy", "y.npy"]
    assert isinstance(result, hr.ConvRankResult) and result.input_exponents["biases"][0] is None


def test_temporary_directory_is_removed_after_an_error(own_tempdir):
    base, seen = own_tempdir
    weights, _, x, y = network(6, [3, 2, 2], 4)
    with pytest.raises(hr.HessianRankError):
        hr.rank(weights, x, np.ones((4, 5)))
    assert len(seen) == 1 and list(base.iterdir()) == []
    with pytest.raises(TypeError):
        hr.rank([np.array([["a"]])], x, y)           # refused while writing, before the CLI runs
    assert len(seen) == 1 and list(base.iterdir()) == []


# --- fixtures ------------------------------------------------------------------------------------------------------

def test_fixtures_and_load_fixture_dense_exact(tmp_path):
    """Format 1: fixtures() returns the case folders; load_fixture reads every array, the Hessians present, the
    exact ranks; with leaky-relu:1/3 the CLI omits the Hessian files and says why."""
    cases = hr.fixtures(tmp_path / "dense", bias=True)
    assert len(cases) == 8 and all((case / "case.json").is_file() for case in cases)
    for folder in cases:
        fixture = hr.load_fixture(folder)
        case = json.loads((folder / "case.json").read_text())
        assert fixture.format_version == 1 and fixture.kind == "dense" and fixture.exact_hessians
        assert fixture.ranks == case["ranks"] and fixture.intervals is None and fixture.bias
        assert fixture.architecture == tuple(case["architecture"]) and fixture.seed == int(case["seed"])
        assert [w.shape for w in fixture.weights] == [(m, n) for n, m in zip(case["architecture"], case["architecture"][1:])]
        assert [b.shape for b in fixture.biases] == [(m,) for m in case["architecture"][1:]]
        assert fixture.theta.size == fixture.parameters == case["parameters"]
        assert sorted(f"hessian_{part}.npy" for part in fixture.hessians) == sorted(case["hessianFiles"])
        for h in fixture.hessians.values():
            assert h.shape == (fixture.parameters, fixture.parameters)
    omitted = hr.load_fixture(hr.fixtures(tmp_path / "third", activation="leaky-relu:1/3", arch=[3, 2, 2],
                                          samples=4)[0])
    assert omitted.hessians == {} and set(omitted.hessians_omitted) == set(PARTS)
    assert omitted.activation == "leaky-relu:1/3"


def test_fixture_ranks_equal_rank(tmp_path):
    """A fixture's certified ranks are those rank() finds at the fixture's own arrays."""
    for folder in hr.fixtures(tmp_path / "fx", activation="relu")[:3]:
        fixture = hr.load_fixture(folder)
        assert hr.rank(fixture.weights, fixture.x, fixture.y, activation="relu", certify=True).ranks == fixture.ranks


def test_load_fixture_intervals_and_conv(tmp_path):
    """Format 2 (intervals, rounded Hessians) and format 3 (CNNs in PyTorch's layout, biases on some layers)."""
    (folder,) = hr.fixtures(tmp_path / "smooth", activation="tanh", arch="3,3,2", samples=6, seed=92)
    smooth = hr.load_fixture(folder)
    assert smooth.format_version == 2 and smooth.ranks is None and not smooth.exact_hessians
    assert smooth.intervals["outer"].lower == 10 and smooth.intervals["outer"].upper == 12
    assert smooth.intervals["loss"].exact and smooth.intervals["loss"].rank == 15 == smooth.parameters
    assert smooth.intervals["outer"].precision_bits == 53 and smooth.intervals["outer"].upper_statement == "jacobian-rows"

    (folder,) = hr.fixtures(tmp_path / "cnn", input=(2, 5), layers="conv:3:2:s2:bias,dense:2", samples=3, seed=7)
    conv = hr.load_fixture(folder)
    case = json.loads((folder / "case.json").read_text())
    assert conv.format_version == 3 and conv.kind == "convolutional" and conv.exact_hessians
    assert conv.input == (2, 5) and conv.layers == "conv:3:2:s2:bias,dense:2" and conv.x.shape == (3, 2, 5)
    assert [list(w.shape) for w in conv.weights] == case["weightShapes"]
    assert conv.biases[0].shape == (3,) and conv.biases[1] is None
    assert conv.ranks == case["ranks"] and conv.upper_bounds["outer"].value == case["upperBounds"]["outer"]["value"]
    assert conv.theta.size == conv.parameters
    assert len(hr.fixtures(tmp_path / "preset", preset="conv")) == 6


def test_load_fixture_verifies_the_manifest(tmp_path):
    cases = hr.fixtures(tmp_path / "fx", arch=[3, 2, 2], samples=4, x=np.arange(12.0).reshape(4, 3) / 4)
    (folder,) = cases
    assert json.loads((folder / "case.json").read_text())["data"] == "file:x.npy"
    assert np.array_equal(hr.load_fixture(folder).x, np.arange(12.0).reshape(4, 3) / 4)
    y = np.load(folder / "y.npy")
    np.save(folder / "y.npy", y + 1)
    with pytest.raises(hr.FixtureError, match="SHA-256"):
        hr.load_fixture(folder)
    hr.load_fixture(folder, verify=False)
    (folder / "y.npy").unlink()
    with pytest.raises(hr.FixtureError, match="missing"):
        hr.load_fixture(folder)
    with pytest.raises(hr.FixtureError, match="load_fixtures"):
        hr.load_fixture(tmp_path / "fx")


def test_fixtures_errors(tmp_path):
    with pytest.raises(hr.HessianRankError, match="does not exist"):
        hr.fixtures(tmp_path / "missing" / "out")
    with pytest.raises(TypeError, match="unexpected option 'depth'"):
        hr.fixtures(tmp_path / "out", depth=3)


# --- hessian_rank.testing.check_hessians ---------------------------------------------------------------------------

def numpy_hessians(weights, biases, x, y, fixture):
    """A correct Hessian function written with NumPy (the fixture consumers' exact finite differences)."""
    if fixture.kind == "convolutional":
        layers = test_conv_fixtures.parse_layers(fixture.layers)
        params = [(w, None if fixture.biases is None else fixture.biases[t]) for t, w in enumerate(weights)]
        h_outer, h_functional = test_conv_fixtures.hessians(layers, params, x, y)
    else:
        h_outer, h_functional = test_fixtures.hessians(weights, biases or [], x, y,
                                                       test_fixtures.negative_slope(fixture.activation))
    return {"loss": h_outer + h_functional, "outer": h_outer, "functional": h_functional}


def without_functional_part(weights, biases, x, y, fixture):
    """A wrong one: H_L taken as the Gauss-Newton part alone, H_F dropped."""
    h = numpy_hessians(weights, biases, x, y, fixture)
    return {"loss": h["outer"], "outer": h["outer"], "functional": np.zeros_like(h["outer"])}


@pytest.fixture(scope="module")
def fixture_folders(tmp_path_factory, cli):
    base = tmp_path_factory.mktemp("check")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HESSIAN_RANK", cli)
        return {"linear": hr.fixtures(base / "linear")[0].parent,
                "leaky-bias": hr.fixtures(base / "leaky-bias", activation="leaky-relu:1/8", bias=True)[0].parent,
                "conv": hr.fixtures(base / "conv", preset="conv", bias=True)[0].parent,
                "tanh": hr.fixtures(base / "tanh", activation="tanh", arch="4,3,2", samples=6, bias=True)[0].parent}


@pytest.mark.parametrize("kind", ["linear", "leaky-bias", "conv"])
def test_check_hessians_passes_a_correct_function(fixture_folders, kind):
    compared = check_hessians(numpy_hessians, fixture_folders[kind])
    assert len(compared) >= 3 * 6 and {part for _, part in compared} == set(PARTS)


@pytest.mark.parametrize("kind", ["linear", "conv"])
def test_check_hessians_catches_a_dropped_functional_part(fixture_folders, kind):
    with pytest.raises(AssertionError) as raised:
        check_hessians(without_functional_part, fixture_folders[kind])
    message = str(raised.value)
    cases = [entry["name"] for entry in json.loads((fixture_folders[kind] / "manifest.json").read_text())["cases"]]
    assert "Hessian mismatch(es)" in message and "largest entry difference" in message
    flagged = [line.strip().split(" ")[0] for line in message.splitlines()[1:]]
    parts = [line.strip().split(" ")[1].rstrip(":") for line in message.splitlines()[1:]]
    assert set(parts) == {"loss", "functional"} and "outer" not in parts
    assert set(flagged) <= set(cases) and len(set(flagged)) >= len(cases) - 2, "every case with H_F != 0 is listed"


def test_check_hessians_loss_only_and_parts(fixture_folders):
    """A function returning one array is compared as H_L; `parts` restricts the comparison; a missing part is a
    mismatch."""
    loss_only = lambda w, b, x, y, fixture: numpy_hessians(w, b, x, y, fixture)["loss"]
    assert {part for _, part in check_hessians(loss_only, fixture_folders["linear"])} == {"loss"}
    check_hessians(without_functional_part, fixture_folders["linear"], parts=("outer",))
    outer_only = lambda w, b, x, y, fixture: {"outer": numpy_hessians(w, b, x, y, fixture)["outer"]}
    with pytest.raises(AssertionError, match="returned no 'loss' Hessian"):
        check_hessians(outer_only, fixture_folders["linear"])


def test_check_hessians_rounded_fixtures(fixture_folders):
    """Format 2 (tanh): H_O from central differences agrees to 1e-5 relative; a wrong factor of 2 does not."""
    def outer(weights, biases, x, y, fixture):
        return {"outer": test_fixtures.outer_hessian(fixture.case, weights, biases or [], x, y)}
    check_hessians(outer, fixture_folders["tanh"], parts=("outer",), rtol=1e-5)
    with pytest.raises(AssertionError, match="outer: largest entry difference"):
        check_hessians(lambda *args, fixture: {"outer": 2 * outer(*args, fixture)["outer"]}, fixture_folders["tanh"],
                       parts=("outer",))


def test_check_hessians_without_fixture_argument(fixture_folders):
    """A function of the four arrays only (no `fixture` parameter) gets just those."""
    def linear_only(weights, biases, x, y):
        h_outer, h_functional = test_fixtures.hessians(weights, biases or [], x, y, 1.0)
        return {"loss": h_outer + h_functional, "outer": h_outer, "functional": h_functional}
    check_hessians(linear_only, fixture_folders["linear"])


# --- PyTorch -------------------------------------------------------------------------------------------------------

def test_leaky_relu_slopes():
    """Slopes are the small rational whose nearest double they are; anything else is refused with the reason."""
    from fractions import Fraction
    assert hr.leaky_relu_slope(0.01) == Fraction(1, 100) and hr.leaky_relu_slope(0.125) == Fraction(1, 8)
    assert hr.leaky_relu_slope(0.2) == Fraction(1, 5) and hr.leaky_relu_slope(1 / 3) == Fraction(1, 3)
    assert hr.leaky_relu_slope(-0.5) == Fraction(-1, 2) and hr.leaky_relu_slope(2.0 ** -16) == Fraction(1, 2 ** 16)
    for slope in (0.123456789, 2.0 ** -17, 1e-7, float("nan")):
        with pytest.raises(ValueError, match="negative_slope"):
            hr.leaky_relu_slope(slope)


def torch_model(torch, sizes, activation=None, bias=False, seed=0):
    torch.manual_seed(seed)
    layers = []
    for t in range(len(sizes) - 1):
        if t and activation is not None:
            layers.append(activation())
        layers.append(torch.nn.Linear(sizes[t], sizes[t + 1], bias=bias))
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("activation,name,bias", [(None, "linear", False), ("ReLU", "relu", True),
                                                   ("LeakyReLU", "leaky-relu:1/100", False)])
def test_rank_torch_equals_rank_on_arrays(activation, name, bias):
    """PyTorch's own initialisation (float32 weights) and float32 data: rank_torch equals rank() on the same
    parameters as NumPy arrays, in PyTorch's order."""
    torch = pytest.importorskip("torch")
    module = None if activation is None else getattr(torch.nn, activation)
    model = torch_model(torch, [4, 3, 3, 2], module, bias=bias)
    x, y = torch.randn(6, 4), torch.randn(6, 2)
    result = hr.rank_torch(model, x, y, certify=True)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    weights = [m.weight.detach().numpy() for m in linears]
    biases = [m.bias.detach().numpy() for m in linears] if bias else None
    expected = hr.rank(weights, x.numpy(), y.numpy(), biases=biases, activation=name, certify=True)
    assert result.activation == name and result.ranks == expected.ranks and result.exact
    assert result.parameters == sum(p.numel() for p in model.parameters())
    assert result.raw["inputs"] == expected.raw["inputs"]


def test_rank_torch_matches_autograd_rank():
    """A small integer-valued ReLU network: rank_torch's exact rank of H_L equals numpy's rank of torch.autograd's
    float64 Hessian (integers: exact)."""
    torch = pytest.importorskip("torch")
    from torch.func import functional_call
    model = torch_model(torch, [3, 4, 2], torch.nn.ReLU, bias=True).double()
    for seed in range(100):                  # the first draw with no pre-activation exactly 0 (no unit on a kink)
        torch.manual_seed(seed)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.randint(-3, 4, p.shape).double())
        x, y = torch.randint(-3, 4, (5, 3)).double(), torch.randint(-3, 4, (5, 2)).double()
        if torch.all(model[0](x) != 0):
            break
    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]
    theta = torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def loss(th):
        tensors, k = {}, 0
        for name, shape in zip(names, shapes):
            tensors[name] = th[k:k + shape.numel()].reshape(shape)
            k += shape.numel()
        return 0.5 * ((functional_call(model, tensors, (x,)) - y) ** 2).sum()

    h = torch.autograd.functional.hessian(loss, theta).numpy()
    assert hr.rank_torch(model, x, y, certify=True).loss.rank == np.linalg.matrix_rank(h)


def test_rank_torch_refusals():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    x, y = torch.randn(4, 3), torch.randn(4, 2)
    with pytest.raises(ValueError, match="every Linear layer needs a bias, or none"):
        hr.rank_torch(nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 2, bias=False)), x, y)
    with pytest.raises(ValueError, match="not a small rational"):
        hr.rank_torch(nn.Sequential(nn.Linear(3, 2), nn.LeakyReLU(0.123456789), nn.Linear(2, 2)), x, y)
    with pytest.raises(ValueError, match="activations differ"):
        hr.rank_torch(nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 2), nn.Linear(2, 2)), x, y)
    with pytest.raises(ValueError, match="after the last Linear"):
        hr.rank_torch(nn.Sequential(nn.Linear(3, 2), nn.ReLU()), x, y)
    with pytest.raises(ValueError, match="GELU"):
        hr.rank_torch(nn.Sequential(nn.Linear(3, 2), nn.GELU(), nn.Linear(2, 2)), x, y)
    with pytest.raises(ValueError, match=r"ELU\(alpha=0.5\): HessianRank's elu has alpha = 1"):
        hr.rank_torch(nn.Sequential(nn.Linear(3, 2), nn.ELU(alpha=0.5), nn.Linear(2, 2)), x, y)
    with pytest.raises(ValueError, match="activations differ"):
        hr.rank_torch(nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2)), x, y)
    with pytest.raises(TypeError, match="Sequential"):
        hr.rank_torch(nn.Linear(3, 2), x, y)


@pytest.mark.parametrize("module,name", [("Tanh", "tanh"), ("Sigmoid", "sigmoid"), ("ELU", "elu")])
def test_rank_torch_smooth_activations_give_intervals(module, name):
    """A Tanh, Sigmoid or ELU model: rank_torch returns the IntervalResult of rank() on its float32 parameters (exact
    values) with that activation, and numpy's rank of torch.autograd's float64 Hessian (a tolerance's estimate) lies
    in each certified interval."""
    torch = pytest.importorskip("torch")
    from torch.func import functional_call
    torch.manual_seed(0)
    model = torch_model(torch, [3, 4, 2], getattr(torch.nn, module), bias=True)
    x, y = torch.randn(6, 3), torch.randn(6, 2)
    result = hr.rank_torch(model, x, y)
    assert isinstance(result, hr.IntervalResult) and result.activation == name and result.bias
    layers = [model[0], model[2]]
    expected = hr.rank([layer.weight.detach().numpy() for layer in layers], x.numpy(), y.numpy(),
                       biases=[layer.bias.detach().numpy() for layer in layers], activation=name)
    assert result.intervals == expected.intervals and result.input_exponents == expected.input_exponents
    double = model.double()
    names = [name for name, _ in double.named_parameters()]
    shapes = [p.shape for p in double.parameters()]
    theta = torch.cat([p.detach().reshape(-1) for p in double.parameters()])

    def loss(th):
        tensors, k = {}, 0
        for name, shape in zip(names, shapes):
            tensors[name] = th[k:k + shape.numel()].reshape(shape)
            k += shape.numel()
        return 0.5 * ((functional_call(double, tensors, (x.double(),)) - y.double()) ** 2).sum()

    h = torch.autograd.functional.hessian(loss, theta).numpy()
    lower, upper = result.intervals["loss"]
    assert lower <= np.linalg.matrix_rank(h) <= upper


# --- rank_file: one .npz, .safetensors or folder, read by the CLI -----------------------------------------------------

def test_rank_file_containers_equal_rank_on_arrays(tmp_path):
    """The same weights, data and targets as arrays (rank), as a .npz written by numpy.savez (data inside, or given
    as arrays or as .npy paths), as a folder of .npy files, and as a .safetensors file (where the package is
    installed): the same exact ranks. A .npz without x and no x given raises the CLI's message, naming the file."""
    g = np.random.default_rng(11)
    weights = [g.integers(-3, 4, (3, 4)) / 4, g.integers(-3, 4, (2, 3)) / 2]
    x, y = g.normal(size=(7, 4)), g.normal(size=(7, 2))
    expected = hr.rank(weights, x, y).ranks
    np.savez(tmp_path / "all.npz", w1=weights[0], w2=weights[1], x=x, y=y)
    np.savez_compressed(tmp_path / "weights.npz", w1=weights[0], w2=weights[1])
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    folder = tmp_path / "folder"
    folder.mkdir()
    for t, w in enumerate(weights, start=1):
        np.save(folder / f"w{t}.npy", w)
    assert hr.rank_file(tmp_path / "all.npz").ranks == expected
    assert hr.rank_file(tmp_path / "weights.npz", x, y).ranks == expected
    assert hr.rank_file(str(tmp_path / "weights.npz"), tmp_path / "x.npy", tmp_path / "y.npy").ranks == expected
    assert hr.rank_file(folder, x, y).ranks == expected
    with pytest.raises(hr.HessianRankError, match=r"^--weights .*weights\.npz: holds no key x"):
        hr.rank_file(tmp_path / "weights.npz")
    safetensors = pytest.importorskip("safetensors.numpy")
    safetensors.save_file({"w1": weights[0], "w2": weights[1], "x": x, "y": y}, str(tmp_path / "all.safetensors"))
    assert hr.rank_file(tmp_path / "all.safetensors").ranks == expected


def test_rank_file_cnn_equals_rank_cnn(tmp_path):
    """A linear CNN's parameters in PyTorch's shapes in a .npz, with input and layers: the ranks of rank_cnn on the
    same arrays."""
    g = np.random.default_rng(12)
    w1, w2 = g.integers(-3, 4, (2, 1, 3)) / 4, g.integers(-3, 4, (2, 12)) / 2
    x, y = g.integers(-4, 5, (5, 1, 8)) / 2, g.normal(size=(5, 2))
    np.savez(tmp_path / "cnn.npz", w1=w1, w2=w2, x=x, y=y)
    expected = hr.rank_cnn("1x8", "conv:2:3,dense:2", [w1, w2], x, y).ranks
    assert hr.rank_file(tmp_path / "cnn.npz", input=(1, 8), layers="conv:2:3,dense:2").ranks == expected
    with pytest.raises(TypeError, match="input and layers go together"):
        hr.rank_file(tmp_path / "cnn.npz", input=(1, 8))
