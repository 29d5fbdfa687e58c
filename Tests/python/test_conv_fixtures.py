"""A consumer of HessianRank's convolutional fixtures (format version 3), in PyTorch's terms.

It loads the fixtures that `hessian-rank fixtures --preset conv` writes (1-D and 2-D convolutions, valid and same
padding, stride 2, several channels, two convolutions, biases on some layers or all), checks them against the
manifest's SHA-256, and rebuilds every Hessian with its own NumPy code: its own convolution (a cross-correlation with
PyTorch's zero padding, 'same' putting (k - 1) // 2 zeros before), its own flattening (torch.flatten of N x C x H x W),
and the parameters in PyTorch's order (layer by layer, weight flattened row-major in its PyTorch shape, then bias). The
stored Hessians must equal its own entry for entry, and numpy.linalg.matrix_rank must give the exact rank wherever
case.json says numpy's default rule is reliable. When torch is importable, the same Hessians also come from
torch.autograd on an nn.Sequential of Conv1d/Conv2d, Flatten and Linear layers holding the fixture's weights.

The binary is `hessian-rank` from `swift build --show-bin-path`, or $HESSIAN_RANK.
"""
import hashlib
import json
import subprocess

import numpy as np
import pytest

from test_fixtures import PARTS, binary


@pytest.fixture(scope="session", params=[False, True], ids=["conv", "conv-bias"])
def conv_fixtures(request, tmp_path_factory):
    bias = request.param
    out = tmp_path_factory.mktemp("conv-fixtures" + ("-bias" if bias else ""))
    subprocess.run([binary(), "fixtures", "--out", str(out), "--preset", "conv"] + (["--bias"] if bias else []),
                   check=True, capture_output=True)
    return out, json.loads((out / "manifest.json").read_text()), bias


# --- our own network: layers parsed from case.json, PyTorch semantics ---------------------------------------------

def parse_layers(text):
    """`conv:C:k[:sS][:same|valid][:bias]` and `dense:K[:bias]`, comma-separated, as dicts."""
    layers = []
    for item in text.split(","):
        fields = item.split(":")
        if fields[0] == "conv":
            layer = {"kind": "conv", "channels": int(fields[1]), "kernel": int(fields[2]), "stride": 1,
                     "same": False, "bias": False}
            for option in fields[3:]:
                if option == "same":
                    layer["same"] = True
                elif option == "bias":
                    layer["bias"] = True
                elif option == "valid":
                    layer["same"] = False
                else:
                    assert option.startswith("s"), item
                    layer["stride"] = int(option[1:])
        else:
            assert fields[0] == "dense", item
            layer = {"kind": "dense", "outputs": int(fields[1]), "bias": fields[2:] == ["bias"]}
        layers.append(layer)
    return layers


def convolve(a, w, b, stride, same):
    """torch.nn.functional.conv1d/conv2d of a batch a (N x C_in x spatial...) with weight w (C x C_in x k...)."""
    spatial = a.ndim - 2
    k = w.shape[2]
    if same:
        before = (k - 1) // 2
        a = np.pad(a, [(0, 0), (0, 0)] + [(before, k - 1 - before)] * spatial)
    sizes = [(n - k) // stride + 1 for n in a.shape[2:]]
    out = np.zeros((a.shape[0], w.shape[0], *sizes))
    for offset in np.ndindex(*([k] * spatial)):
        window = a[(slice(None), slice(None)) + tuple(slice(o, o + stride * (s - 1) + 1, stride) for o, s in zip(offset, sizes))]
        out += np.einsum("nc...,oc->no...", window, w[(slice(None), slice(None)) + offset])
    if b is not None:
        out += b.reshape((1, -1) + (1,) * spatial)
    return out


def forward(layers, params, x):
    """The network's outputs, N x K: convolutions on the batch, then torch.flatten(start_dim=1) and dense layers."""
    a = x
    for layer, (w, b) in zip(layers, params):
        if layer["kind"] == "conv":
            a = convolve(a, w, b, layer["stride"], layer["same"])
        else:
            a = a.reshape(a.shape[0], -1) @ w.T + (0 if b is None else b)
    return a.reshape(a.shape[0], -1)


def load(case_dir):
    """case.json, the layers, per layer (weight, bias or None) from the .npy files, the data and the targets."""
    case = json.loads((case_dir / "case.json").read_text())
    layers = parse_layers(case["layers"])
    params = []
    for t, layer in enumerate(layers):
        bias_file = case_dir / f"b{t + 1}.npy"
        params.append((np.load(case_dir / f"w{t + 1}.npy"), np.load(bias_file) if layer["bias"] else None))
        assert bias_file.exists() == layer["bias"], (case_dir.name, t)
    return case, layers, params, np.load(case_dir / "x.npy"), np.load(case_dir / "y.npy")


def flatten(params):
    """theta in PyTorch's order: per layer the weight row-major, then the bias (model.parameters() order)."""
    return np.concatenate([np.concatenate([w.reshape(-1)] + ([b] if b is not None else [])) for w, b in params])


def unflatten(theta, like):
    params, k = [], 0
    for w, b in like:
        weight = theta[k:k + w.size].reshape(w.shape)
        k += w.size
        bias = None
        if b is not None:
            bias = theta[k:k + b.size]
            k += b.size
        params.append((weight, bias))
    return params


def hessians(layers, params, x, y):
    """H_O and H_F of L = 1/2 sum_n |f(x_n) - y_n|^2 by exact finite differences: a linear network is affine in each
    layer's parameters when the others are fixed, so with unit steps f(th + e_u) - f(th) is the derivative and the
    mixed second difference the second derivative, exactly (integer values keep every float64 operation exact)."""
    theta = flatten(params)
    p = theta.size

    def f(th):
        return forward(layers, unflatten(th, params), x)

    f0 = f(theta)
    e = f0 - y
    eye = np.eye(p)
    f1 = [f(theta + eye[u]) for u in range(p)]
    jac = [fu - f0 for fu in f1]
    h_outer = np.array([[np.sum(jac[u] * jac[v]) for v in range(p)] for u in range(p)])
    h_functional = np.zeros((p, p))
    for u in range(p):
        for v in range(u, p):
            h_functional[u, v] = h_functional[v, u] = np.sum(e * (f(theta + eye[u] + eye[v]) - f1[u] - f1[v] + f0))
    return h_outer, h_functional


@pytest.fixture(scope="session")
def rebuilt(conv_fixtures):
    out, manifest, _ = conv_fixtures
    result = {}
    for entry in manifest["cases"]:
        case, layers, params, x, y = load(out / entry["name"])
        h_outer, h_functional = hessians(layers, params, x, y)
        result[entry["name"]] = case, {"outer": h_outer, "functional": h_functional, "loss": h_outer + h_functional}
    return result


# --- the checks ----------------------------------------------------------------------------------------------------

def test_manifest_and_layout(conv_fixtures):
    """Format version 3, every file's SHA-256, and the PyTorch layout: x is N x C x spatial, each weight has its
    PyTorch shape (C, C_in, k...) or (K, in), biases are 1-d, and p counts exactly those arrays."""
    out, manifest, bias = conv_fixtures
    assert manifest["formatVersion"] == 3 and manifest["kind"] == "convolutional" and len(manifest["cases"]) == 6
    for entry in manifest["cases"]:
        for name, digest in entry["files"].items():
            assert hashlib.sha256((out / entry["name"] / name).read_bytes()).hexdigest() == digest, (entry["name"], name)
        case, layers, params, x, y = load(out / entry["name"])
        assert case["formatVersion"] == 3 and case["kind"] == "convolutional", entry["name"]
        assert list(x.shape) == [case["samples"]] + case["input"] and y.shape == (case["samples"], case["unrolledWidths"][-1])
        channels = case["input"][0]
        for t, (layer, (w, b)) in enumerate(zip(layers, params)):
            assert list(w.shape) == case["weightShapes"][t], (entry["name"], t)
            if layer["kind"] == "conv":
                assert w.shape[:2] == (layer["channels"], channels) and set(w.shape[2:]) == {layer["kernel"]}
                assert w.ndim == x.ndim, "a kernel has the input's spatial rank"
                channels = layer["channels"]
            assert (b is not None) == (bias or layer["bias"]) and (b is None or b.shape == (w.shape[0],))
        assert case["biasLayers"] == [t + 1 for t, (_, b) in enumerate(params) if b is not None]
        assert case["parameters"] == flatten(params).size, entry["name"]


def test_stored_hessians_equal_our_own(conv_fixtures, rebuilt):
    out, _, _ = conv_fixtures
    compared = 0
    for name, (case, ours) in rebuilt.items():
        assert sorted(case["hessianFiles"]) == [f"hessian_{part}.npy" for part in sorted(PARTS)], name
        for part in PARTS:
            np.testing.assert_array_equal(np.load(out / name / f"hessian_{part}.npy"), ours[part], err_msg=f"{name} {part}")
            compared += 1
    assert compared == 3 * 6


def test_ranks_numpy_and_bounds(rebuilt):
    """numpy's rank equals the exact rank where case.json says its rule is reliable; every rank is at most its upper
    bound, and "meets" says whether it equals it."""
    reliable = 0
    for name, (case, ours) in rebuilt.items():
        for part in PARTS:
            rank, bound = case["ranks"][part], case["upperBounds"][part]
            assert 0 <= rank <= bound["value"] <= case["parameters"] and bound["meets"] == (rank == bound["value"])
            if case["numpyDefaultRankIsReliable"][part]:
                assert np.linalg.matrix_rank(ours[part]) == rank, (name, part)
                reliable += 1
    assert reliable >= 12


def test_one_network_matches_rank(tmp_path):
    """`fixtures --input --layers --samples` writes the network `rank --input --layers --certify` ranks (same seed,
    same draw): the fixture's ranks are the rank command's certified ones."""
    shape = ["--input", "2x5", "--layers", "conv:3:2:s2:bias,dense:2", "--samples", "3", "--seed", "7"]
    subprocess.run([binary(), "fixtures", "--out", str(tmp_path / "one")] + shape, check=True, capture_output=True)
    (entry,) = json.loads((tmp_path / "one" / "manifest.json").read_text())["cases"]
    case = json.loads((tmp_path / "one" / entry["name"] / "case.json").read_text())
    report = json.loads(subprocess.run([binary(), "rank", "--certify", "--json"] + shape, check=True,
                                       capture_output=True, text=True).stdout)
    assert case["ranks"] == {part["part"]: part["rank"] for part in report["parts"]}
    assert case["layers"] == "conv:3:2:s2:bias,dense:2" and case["input"] == [2, 5] and case["seed"] == "7"


def test_torch_autograd_agrees(conv_fixtures):
    """With PyTorch: an nn.Sequential holding the fixture's weights, its loss Hessian in model.parameters() order by
    torch.autograd, equal to the stored H_L (float64, integer entries: exact)."""
    torch = pytest.importorskip("torch")
    from torch.func import functional_call

    out, manifest, _ = conv_fixtures
    for entry in manifest["cases"]:
        case, layers, params, x, y = load(out / entry["name"])
        modules, channels, flat = [], case["input"][0], False
        spatial = len(case["input"]) - 1
        for layer, (w, b) in zip(layers, params):
            if layer["kind"] == "conv":
                conv = torch.nn.Conv1d if spatial == 1 else torch.nn.Conv2d
                modules.append(conv(channels, layer["channels"], layer["kernel"], stride=layer["stride"],
                                    padding="same" if layer["same"] else 0, bias=b is not None))
                channels = layer["channels"]
            else:
                if not flat:
                    modules.append(torch.nn.Flatten())
                    flat = True
                modules.append(torch.nn.Linear(w.shape[1], w.shape[0], bias=b is not None))
        if not flat:
            modules.append(torch.nn.Flatten())
        model = torch.nn.Sequential(*modules).double()
        names = [name for name, _ in model.named_parameters()]
        shapes = [tensor.shape for _, tensor in model.named_parameters()]
        arrays = [a for w, b in params for a in ([w] if b is None else [w, b])]
        assert [tuple(s) for s in shapes] == [a.shape for a in arrays], entry["name"]
        theta = torch.tensor(flatten(params), dtype=torch.float64)
        xs, ys = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)

        def loss(th):
            tensors, k = {}, 0
            for name, shape in zip(names, shapes):
                tensors[name] = th[k:k + shape.numel()].reshape(shape)
                k += shape.numel()
            return 0.5 * ((functional_call(model, tensors, (xs,)) - ys) ** 2).sum()

        h = torch.autograd.functional.hessian(loss, theta).numpy()
        np.testing.assert_array_equal(h, np.load(out / entry["name"] / "hessian_loss.npy"), err_msg=entry["name"])
