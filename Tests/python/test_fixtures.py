"""A consumer of HessianRank's fixtures, in the ecosystem's own terms (pytest + NumPy).

It loads the fixtures that `hessian-rank fixtures` writes, checks them against the manifest's SHA-256, rebuilds every
Hessian in float64 with its own NumPy code (not HessianRank's), and checks that the stored Hessians equal its own and
that numpy.linalg.matrix_rank gives the exact rank wherever case.json says numpy's default rule is reliable there.
It also writes float64 weights with NumPy and checks that `hessian-rank rank --weights` reads back the same exact ranks.

The binary is `hessian-rank` from `swift build --show-bin-path`, or $HESSIAN_RANK.
"""
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


@pytest.fixture(scope="session", params=["linear", "relu"])
def fixtures(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"fixtures-{request.param}")
    subprocess.run([binary(), "fixtures", "--out", str(out), "--activation", request.param], check=True,
                   capture_output=True)
    manifest = json.loads((out / "manifest.json").read_text())
    return out, manifest


# --- our own Hessians: a bias-free network with masks frozen at the point (exact finite differences) ---------------

def forward(ws, x, masks=None):
    """Outputs of every sample; with masks=None, ReLU masks are computed (and returned) at this point."""
    computed = []
    a = x.T
    for t, w in enumerate(ws):
        z = w @ a
        if t < len(ws) - 1 and masks is not False:
            m = (z > 0).astype(float) if masks is None else masks[t]
            computed.append(m)
            z = z * m
        a = z
    return a.T, computed


def hessians(ws, x, y, relu):
    """H_O, H_F and the Hessian of the loss, by exact finite differences of the network with frozen ReLU masks.

    With the masks fixed, f is a polynomial of degree <= 1 in each parameter, so f(th + e_u) - f(th) and the mixed
    second difference are exact; integer inputs keep every float64 operation exact.
    """
    shapes = [w.shape for w in ws]
    sizes = [r * c for r, c in shapes]
    theta = np.concatenate([w.reshape(-1) for w in ws])
    p = theta.size

    def unpack(th):
        out, k = [], 0
        for (r, c), s in zip(shapes, sizes):
            out.append(th[k:k + s].reshape(r, c))
            k += s
        return out

    masks = forward(ws, x)[1] if relu else False

    def f(th):
        return forward(unpack(th), x, masks)[0]

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
    case = json.loads((case_dir / "case.json").read_text())
    depth = len(case["architecture"]) - 1
    ws = [np.load(case_dir / f"w{t + 1}.npy") for t in range(depth)]
    return case, ws, np.load(case_dir / "x.npy"), np.load(case_dir / "y.npy")


# --- the checks ----------------------------------------------------------------------------------------------------

def test_manifest_hashes(fixtures):
    out, manifest = fixtures
    assert manifest["formatVersion"] == 1
    assert len(manifest["cases"]) == 8
    for case in manifest["cases"]:
        for name, digest in case["files"].items():
            assert sha256(out / case["name"] / name) == digest, f"{case['name']}/{name}"


@pytest.fixture(scope="session")
def rebuilt(fixtures):
    """Per case: case.json and our own three Hessians, computed once."""
    out, manifest = fixtures
    result = {}
    for entry in manifest["cases"]:
        case, ws, x, y = load(out / entry["name"])
        h_outer, h_functional = hessians(ws, x, y, relu=case["activation"] == "relu")
        result[entry["name"]] = case, {"outer": h_outer, "functional": h_functional, "loss": h_outer + h_functional}
    return result


def test_stored_hessians_equal_our_own(fixtures, rebuilt):
    out, _ = fixtures
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
    """Dividing every matrix by a power of two keeps the Hessian ranks (ReLU is positively homogeneous, so its masks
    stay): the exact ranks at these float64 weights, read back from .npy files that NumPy wrote, must equal the
    fixture's."""
    out, manifest = fixtures
    for entry in manifest["cases"][:4]:
        case, ws, x, y = load(out / entry["name"])
        folder = tmp_path / entry["name"]
        folder.mkdir()
        for t, w in enumerate(ws):
            np.save(folder / f"w{t + 1}.npy", (w / 8).astype(np.float64))
        np.save(folder / "x.npy", x / 64)
        np.save(folder / "y.npy", y / 2)
        result = subprocess.run([binary(), "rank", "--weights", str(folder), "--x", str(folder / "x.npy"),
                                 "--y", str(folder / "y.npy"), "--activation", case["activation"], "--json"], check=True, capture_output=True, text=True)
        report = json.loads(result.stdout)
        assert report["ranks"] == case["ranks"], entry["name"]
