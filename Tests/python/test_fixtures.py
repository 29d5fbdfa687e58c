"""A consumer of HessianRank's fixtures, in the ecosystem's own terms (pytest + NumPy).

It loads the fixtures that `hessian-rank fixtures` writes (linear, relu and leaky-relu:1/8 networks, without and with
biases), checks them against the manifest's SHA-256, rebuilds every Hessian in float64 with its own NumPy code (not
HessianRank's), and checks that the stored Hessians equal its own and that numpy.linalg.matrix_rank gives the exact
rank wherever case.json says numpy's default rule is reliable there. It also writes float64 weights (and biases) with
NumPy and checks that `hessian-rank rank --weights` reads back the same exact ranks, and that a fixture made on data
and targets NumPy wrote (`fixtures --x --y`) holds them as given, with the true Hessians at those values.

Fixtures with certified rank intervals (format version 2: `--activation tanh`, `--loss cross-entropy`, ...) carry
float64 Hessians, not exact ones, and per part an interval instead of a rank: it checks the intervals' fields, that the
files are symmetric with H_L = H_O + H_F to float tolerance, rebuilds H_O = sum_n J_n^T A_n J_n with its own Jacobians
(central differences) and the loss's own factor A_n, and checks numpy's rank where case.json says it is reliable.

The binary is `hessian-rank` from `swift build --show-bin-path`, or $HESSIAN_RANK.
"""
import fractions
import hashlib
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PARTS = ("loss", "outer", "functional")


def binary():
    if "HESSIAN_RANK" in os.environ:
        return os.environ["HESSIAN_RANK"]
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    return str(pathlib.Path(bin_path) / "hessian-rank")


# (activation, bias): every construction the fixtures cover.
CONFIGS = [("linear", False), ("relu", False), ("leaky-relu:1/8", False),
           ("linear", True), ("relu", True), ("leaky-relu:1/8", True)]


@pytest.fixture(scope="session", params=CONFIGS, ids=[a + ("-bias" if b else "") for a, b in CONFIGS])
def fixtures(request, tmp_path_factory):
    activation, bias = request.param
    out = tmp_path_factory.mktemp("fixtures-" + activation.replace(":", "-").replace("/", "_") + ("-bias" if bias else ""))
    subprocess.run([binary(), "fixtures", "--out", str(out), "--activation", activation] + (["--bias"] if bias else []),
                   check=True, capture_output=True)
    manifest = json.loads((out / "manifest.json").read_text())
    return out, manifest, activation, bias


# --- our own Hessians: a network with masks frozen at the point (exact finite differences) -------------------------

def negative_slope(activation):
    """The slope of the hidden activation for z < 0: 1 (linear), 0 (relu), a/b (leaky-relu:a/b), as a float."""
    if activation == "linear":
        return 1.0
    if activation == "relu":
        return 0.0
    name, _, slope = activation.partition(":")
    assert name == "leaky-relu", activation
    return float(fractions.Fraction(slope))


def forward(ws, bs, x, slope, masks=None):
    """Outputs of every sample of f(x) = W_L s(... s(W_1 x + b_1) ...) + b_L (bs empty: no biases); the hidden
    activation's slopes (1 for z > 0, `slope` for z < 0) are computed at this point, or taken from `masks`."""
    computed = []
    a = x.T
    for t, w in enumerate(ws):
        z = w @ a
        if bs:
            z = z + bs[t][:, None]
        if t < len(ws) - 1:
            m = np.where(z > 0, 1.0, slope) if masks is None else masks[t]
            computed.append(m)
            z = z * m
        a = z
    return a.T, computed


def hessians(ws, bs, x, y, slope):
    """H_O and H_F by exact finite differences of the network with its activation slopes frozen at the point.

    Parameters in PyTorch's order: per layer W_t row-major, then b_t. With the slopes fixed, every monomial of f has
    at most one parameter of each layer, so f is affine in each parameter alone: f(th + e_u) - f(th) and the mixed
    second difference are exact; integer inputs and a power-of-two slope keep every float64 operation exact.
    """
    shapes = [(w.shape, b.shape if bs else None) for w, b in zip(ws, bs or [None] * len(ws))]
    theta = np.concatenate([np.concatenate([w.reshape(-1)] + ([bs[t]] if bs else [])) for t, w in enumerate(ws)])
    p = theta.size

    def unpack(th):
        weights, biases, k = [], [], 0
        for (r, c), bias_shape in shapes:
            weights.append(th[k:k + r * c].reshape(r, c))
            k += r * c
            if bias_shape is not None:
                biases.append(th[k:k + r])
                k += r
        return weights, biases

    masks = forward(ws, bs, x, slope)[1]

    def f(th):
        weights, biases = unpack(th)
        return forward(weights, biases, x, slope, masks)[0]

    f0 = f(theta)
    e = f0 - y
    eye = np.eye(p)
    f1 = [f(theta + eye[u]) for u in range(p)]
    jac = [fu - f0 for fu in f1]                       # N x K each
    h_outer = np.array([[np.sum(jac[u] * jac[v]) for v in range(p)] for u in range(p)])
    h_functional = np.zeros((p, p))
    for u in range(p):
        for v in range(p):
            second = f(theta + eye[u] + eye[v]) - f1[u] - f1[v] + f0
            h_functional[u, v] = np.sum(e * second)
    return h_outer, h_functional


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(case_dir):
    """case.json, the weights, the biases (empty without), the data and the targets."""
    case = json.loads((case_dir / "case.json").read_text())
    depth = len(case["architecture"]) - 1
    ws = [np.load(case_dir / f"w{t + 1}.npy") for t in range(depth)]
    bs = [np.load(case_dir / f"b{t + 1}.npy") for t in range(depth)] if case.get("bias", False) else []
    return case, ws, bs, np.load(case_dir / "x.npy"), np.load(case_dir / "y.npy")


# --- the checks ----------------------------------------------------------------------------------------------------

def test_manifest_hashes(fixtures):
    out, manifest, activation, bias = fixtures
    assert manifest["formatVersion"] == 1 and "loss" not in manifest, "exact-rank fixtures keep format version 1"
    assert manifest["activation"] == activation and manifest.get("bias", False) == bias
    assert len(manifest["cases"]) == 8
    for case in manifest["cases"]:
        for name, digest in case["files"].items():
            assert sha256(out / case["name"] / name) == digest, f"{case['name']}/{name}"


def test_cases_describe_their_network(fixtures):
    """Folder names are safe on every file system and say "bias"; case.json states the activation in its canonical
    text and the bias; a bias network has b1.npy ... bL.npy, 1-d with M_t values (as numpy users save nn.Linear's)."""
    out, manifest, activation, bias = fixtures
    for entry in manifest["cases"]:
        name = entry["name"]
        assert ":" not in name and "/" not in name and ("-bias-" in name) == bias, name
        case, ws, bs, _, _ = load(out / name)
        assert case["activation"] == activation and case.get("bias", False) == bias, name
        assert [f"b{t + 1}.npy" in entry["files"] for t in range(len(ws))] == [bias] * len(ws), name
        assert [b.shape for b in bs] == [(w.shape[0],) for w in ws] if bias else bs == [], name
        assert case["parameters"] == sum(w.size for w in ws) + sum(b.size for b in bs), name


@pytest.fixture(scope="session")
def rebuilt(fixtures):
    """Per case: case.json and our own three Hessians, computed once."""
    out, manifest, _, _ = fixtures
    result = {}
    for entry in manifest["cases"]:
        case, ws, bs, x, y = load(out / entry["name"])
        h_outer, h_functional = hessians(ws, bs, x, y, negative_slope(case["activation"]))
        result[entry["name"]] = case, {"outer": h_outer, "functional": h_functional, "loss": h_outer + h_functional}
    return result


def test_stored_hessians_equal_our_own(fixtures, rebuilt):
    out, _, _, _ = fixtures
    compared = 0
    for name, (case, ours) in rebuilt.items():
        for part in PARTS:
            if f"hessian_{part}.npy" in case["hessianFiles"]:
                np.testing.assert_array_equal(np.load(out / name / f"hessian_{part}.npy"), ours[part], err_msg=f"{name} {part}")
                compared += 1
    assert compared >= 3 * 6, "most fixtures carry their Hessians"


def test_numpy_matrix_rank_agrees_where_reliable(rebuilt):
    checked = 0
    for name, (case, ours) in rebuilt.items():
        for part in PARTS:
            if case["numpyDefaultRankIsReliable"][part]:
                assert np.linalg.matrix_rank(ours[part]) == case["ranks"][part], f"{name} {part}"
                checked += 1
    assert checked >= 12


def test_float64_weights_written_by_numpy_read_back_exactly(fixtures, tmp_path):
    """Every matrix divided by a power of two, each bias at the scale of its layer's pre-activation and the targets at
    the outputs' scale (W_t / 8, x / 64, b_t / (64 8^t), y / (64 8^L)): the network is the fixture's with every
    pre-activation divided by 64 8^t (relu and leaky-relu are positively homogeneous, so the masks stay), and its
    Hessians are the fixture's up to a diagonal scaling. The exact ranks at these float64 values, read back from .npy
    files that NumPy wrote (biases 1-d, or M x 1 on even layers), must equal the fixture's."""
    out, manifest, _, _ = fixtures
    for entry in manifest["cases"][:4]:
        case, ws, bs, x, y = load(out / entry["name"])
        folder = tmp_path / entry["name"]
        folder.mkdir()
        for t, w in enumerate(ws):
            np.save(folder / f"w{t + 1}.npy", (w / 8).astype(np.float64))
        for t, b in enumerate(bs):
            scaled = (b / (64 * 8 ** (t + 1))).astype(np.float64)
            np.save(folder / f"b{t + 1}.npy", scaled if t % 2 == 0 else scaled.reshape(-1, 1))
        np.save(folder / "x.npy", x / 64)
        np.save(folder / "y.npy", y / (64 * 8 ** len(ws)))
        result = subprocess.run([binary(), "rank", "--weights", str(folder), "--x", str(folder / "x.npy"),
                                 "--y", str(folder / "y.npy"), "--activation", case["activation"], "--json"], check=True, capture_output=True, text=True)
        report = json.loads(result.stdout)
        assert report["ranks"] == case["ranks"], entry["name"]


@pytest.mark.parametrize("activation,bias", CONFIGS, ids=[a + ("-bias" if b else "") for a, b in CONFIGS])
def test_fixture_on_file_data_rebuilds_exactly(activation, bias, tmp_path):
    """`fixtures --arch --x --y` on data and targets that NumPy wrote (eighths and quarters, float64): x.npy and y.npy
    hold those values as given, and the stored Hessians are the true Hessians at them, fractional entries included:
    our own rebuild from the fixture's .npy files alone equals them exactly (dyadic values of few bits keep every
    float64 operation of the rebuild exact), and numpy's rank of them is the fixture's exact rank where the fixture
    says numpy's default rule is reliable."""
    rng = np.random.default_rng(5)
    x = rng.integers(-16, 17, size=(7, 4)) / 8
    y = rng.integers(-8, 9, size=(7, 2)) / 4
    np.save(tmp_path / "data.npy", x)
    np.save(tmp_path / "targets.npy", y)
    out = tmp_path / "out"
    subprocess.run([binary(), "fixtures", "--out", str(out), "--arch", "4,3,2", "--x", str(tmp_path / "data.npy"),
                    "--y", str(tmp_path / "targets.npy"), "--activation", activation, "--seed", "2"]
                   + (["--bias"] if bias else []), check=True, capture_output=True)
    manifest = json.loads((out / "manifest.json").read_text())
    (entry,) = manifest["cases"]
    case, ws, bs, x_stored, y_stored = load(out / entry["name"])
    assert case["data"] == "file:data.npy,targets.npy" and case.get("bias", False) == bias
    assert x_stored.dtype == np.float64 and np.array_equal(x_stored, x) and np.array_equal(y_stored, y)
    h_outer, h_functional = hessians(ws, bs, x_stored, y_stored, negative_slope(activation))
    ours = {"outer": h_outer, "functional": h_functional, "loss": h_outer + h_functional}
    assert sorted(case["hessianFiles"]) == [f"hessian_{part}.npy" for part in sorted(PARTS)]
    for part in PARTS:
        np.testing.assert_array_equal(np.load(out / entry["name"] / f"hessian_{part}.npy"), ours[part], err_msg=part)
        if case["numpyDefaultRankIsReliable"][part]:
            assert np.linalg.matrix_rank(ours[part]) == case["ranks"][part], part
    assert any(v != round(v) for v in ours["loss"].ravel()), "the data's scale is in the Hessian"


# --- fixtures with certified rank intervals (format version 2) ----------------------------------------------------

# (activation, loss, bias): smooth activations and the losses with transcendental Hessian entries.
INTERVAL_CONFIGS = [("tanh", "mse", False), ("linear", "cross-entropy", False), ("sigmoid", "log-cosh", True)]


@pytest.fixture(scope="session", params=INTERVAL_CONFIGS,
                ids=[f"{a}-{l}" + ("-bias" if b else "") for a, l, b in INTERVAL_CONFIGS])
def interval_fixtures(request, tmp_path_factory):
    activation, loss, bias = request.param
    out = tmp_path_factory.mktemp(f"fixtures-{activation}-{loss}" + ("-bias" if bias else ""))
    subprocess.run([binary(), "fixtures", "--out", str(out), "--activation", activation, "--loss", loss]
                   + (["--bias"] if bias else []), check=True, capture_output=True)
    return out, json.loads((out / "manifest.json").read_text()), activation, loss, bias


def check_case_fields(case):
    """What a consumer may rely on, in either format: version 1 has exact `ranks`, version 2 `intervals`."""
    assert case["formatVersion"] in (1, 2)
    p = case["parameters"]
    if case["formatVersion"] == 1:
        assert set(case["ranks"]) == set(PARTS) and all(0 <= case["ranks"][part] <= p for part in PARTS)
        return
    assert "ranks" not in case and set(case["intervals"]) == set(PARTS) and case["hessianFilesRounded"] is True
    for part in PARTS:
        interval = case["intervals"][part]
        assert 0 <= interval["lower"] <= interval["upper"] <= p, (part, interval)
        assert interval["exact"] == (interval["lower"] == interval["upper"]), (part, interval)
        assert interval["upperStatement"] and interval["basis"] in ("proved here", "cited"), (part, interval)
        assert interval.get("precisionBits", 53) >= 53, (part, interval)


def activation_function(name):
    return {"linear": lambda z: z, "tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
            "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0)))}[name]


def outputs(theta, shapes, x, sigma):
    """f(x_n) for every sample, parameters in PyTorch's order (per layer W_t row-major, then b_t)."""
    a, k = x.T, 0
    for t, ((r, c), has_bias) in enumerate(shapes):
        z = theta[k:k + r * c].reshape(r, c) @ a
        k += r * c
        if has_bias:
            z = z + theta[k:k + r][:, None]
            k += r
        a = sigma(z) if t < len(shapes) - 1 else z
    return a.T


def outer_hessian(case, ws, bs, x, y):
    """H_O = sum_n J_n^T A_n J_n with J_n by central differences (step 1e-6) and the loss's factor A_n at the outputs:
    I (mse), diag(pi) - pi pi^T with pi = softmax (cross-entropy), diag(sech^2(f - y)) (log-cosh)."""
    shapes = [(w.shape, bool(bs)) for w in ws]
    theta = np.concatenate([np.concatenate([w.reshape(-1)] + ([bs[t]] if bs else [])) for t, w in enumerate(ws)])
    sigma = activation_function(case["activation"])
    h = 1e-6
    jac = np.stack([(outputs(theta + h * e, shapes, x, sigma) - outputs(theta - h * e, shapes, x, sigma)) / (2 * h)
                    for e in np.eye(theta.size)], axis=-1)            # N x K x p
    f = outputs(theta, shapes, x, sigma)
    if case["loss"] == "mse":
        factors = [np.eye(f.shape[1])] * len(f)
    elif case["loss"] == "cross-entropy":
        pis = np.exp(f - f.max(axis=1, keepdims=True))
        pis /= pis.sum(axis=1, keepdims=True)
        factors = [np.diag(pi) - np.outer(pi, pi) for pi in pis]
    else:
        factors = [np.diag(1 / np.cosh(row) ** 2) for row in f - y]
    return sum(j.T @ a @ j for j, a in zip(jac, factors))


def test_interval_manifest_and_cases(interval_fixtures):
    """Format version 2 in the manifest and every case.json, the loss and activation stated, every file's SHA-256,
    sound intervals; under cross-entropy the preset's K = 1 case is left out."""
    out, manifest, activation, loss, bias = interval_fixtures
    assert manifest["formatVersion"] == 2 and manifest["loss"] == loss and manifest["activation"] == activation
    assert len(manifest["cases"]) == (7 if loss == "cross-entropy" else 8)
    for entry in manifest["cases"]:
        for name, digest in entry["files"].items():
            assert sha256(out / entry["name"] / name) == digest, f"{entry['name']}/{name}"
        case, ws, bs, x, y = load(out / entry["name"])
        check_case_fields(case)
        assert case["loss"] == loss and case["activation"] == activation and case.get("bias", False) == bias
        assert case["parameters"] == sum(w.size for w in ws) + sum(b.size for b in bs)
        if loss == "cross-entropy":
            assert ws[-1].shape[0] >= 2 and np.array_equal(y.sum(axis=1), np.ones(len(y))), "one-hot targets"
        if activation == "linear":
            assert "precisionBits" not in case["intervals"]["outer"] and case["intervals"]["outer"]["exact"], \
                "a linear network's H_O is exact from its integer problem"


def test_interval_hessians_rebuild(interval_fixtures):
    """The float64 Hessians: p x p, symmetric, H_L = H_O + H_F to float tolerance, H_O equal to our own rebuild to
    1e-6 of its largest entry, and numpy's rank equal to the certified rank wherever case.json says it is reliable
    (and inside the interval then, trivially: the interval is exact there)."""
    out, manifest, _, _, _ = interval_fixtures
    reliable = 0
    for entry in manifest["cases"]:
        case, ws, bs, x, y = load(out / entry["name"])
        p = case["parameters"]
        assert sorted(case["hessianFiles"]) == [f"hessian_{part}.npy" for part in sorted(PARTS)]
        h = {part: np.load(out / entry["name"] / f"hessian_{part}.npy") for part in PARTS}
        scale = max(np.abs(h["loss"]).max(), np.abs(h["outer"]).max(), 1e-300)
        for part in PARTS:
            assert h[part].shape == (p, p) and h[part].dtype == np.float64, part
            np.testing.assert_allclose(h[part], h[part].T, rtol=0, atol=1e-12 * scale, err_msg=part)
        np.testing.assert_allclose(h["loss"], h["outer"] + h["functional"], rtol=0, atol=1e-12 * scale)
        ours = outer_hessian(case, ws, bs, x, y)
        np.testing.assert_allclose(h["outer"], ours, rtol=0, atol=1e-6 * max(np.abs(ours).max(), 1e-300),
                                   err_msg=entry["name"])
        for part in PARTS:
            if case["numpyDefaultRankIsReliable"][part]:
                interval = case["intervals"][part]
                assert interval["exact"] and np.linalg.matrix_rank(h[part]) == interval["lower"], (entry["name"], part)
                reliable += 1
    assert reliable >= 1
