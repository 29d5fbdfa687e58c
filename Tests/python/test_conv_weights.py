"""Linear CNNs at your own weights: `hessian-rank rank --input --layers --weights`, `hessian_rank.rank_cnn` and
`hessian_rank.rank_torch` on Conv1d/Conv2d models.

rank_cnn is compared with `rank --json` run directly on the same files, and with ranks computed here independently of
HessianRank: the exact Hessians at fractional values, in rational arithmetic (fractions.Fraction), by this file's own
forward pass (its own cross-correlation with PyTorch's zero padding, test_conv_fixtures' parsing of the layers) and
exact finite differences, then ranked by Gaussian elimination over Q. Where torch is importable, rank_torch on an
nn.Sequential equals rank_cnn on its parameters, and numpy's rank of torch.autograd's Hessian equals the exact rank
where the spectrum has a clear gap.
"""
import json
import pathlib
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

import hessian_rank as hr  # noqa: E402

from test_conv_fixtures import parse_layers  # noqa: E402
from test_fixtures import PARTS  # noqa: E402
from test_package import cli, pinned_binary  # noqa: E402,F401  (the package runs the binary under test)


def weight_shape(input_shape, layer_list):
    """PyTorch's shape of each layer's weight, and each layer's output shape (C, spatial...) or (K,)."""
    shape, shapes, outputs = tuple(input_shape), [], []
    for layer in layer_list:
        if layer["kind"] == "conv":
            k, s = layer["kernel"], layer["stride"]
            pad = k - 1 if layer["same"] else 0
            shapes.append((layer["channels"], shape[0]) + (k,) * (len(shape) - 1))
            shape = (layer["channels"],) + tuple((n + pad - k) // s + 1 for n in shape[1:])
        else:
            shapes.append((layer["outputs"], int(np.prod(shape))))
            shape = (layer["outputs"],)
        outputs.append(shape)
    return shapes, outputs


def network(seed, input_shape, layers, samples, denominators=(8, 64, 4, 1024)):
    """Weights, biases (None for a layer without), x (N x C x spatial) and y of a CNN: small integers over powers of
    two up to the given denominators (weights, biases, data, targets), as float64."""
    rng = np.random.default_rng(seed)
    layer_list = parse_layers(layers)
    shapes, outputs = weight_shape(input_shape, layer_list)

    def draw(shape, denominator):
        values = rng.integers(-6, 7, size=shape).astype(np.float64)
        return values / rng.choice([1, 2, denominator], size=shape)

    weights = [draw(shape, denominators[0]) for shape in shapes]
    biases = [draw((shape[0],), denominators[1]) if layer["bias"] else None for shape, layer in zip(shapes, layer_list)]
    x = draw((samples,) + tuple(input_shape), denominators[2])
    y = draw((samples, int(np.prod(outputs[-1]))), denominators[3])
    return weights, biases, x, y


CASES = [
    ((1, 8), "conv:2:3,dense:2", 3),
    ((1, 5, 5), "conv:2:3:same:bias,dense:2", 2),
    ((2, 7), "conv:2:3:s2:bias,conv:1:2,dense:2:bias", 3),
    ((1, 4, 4), "conv:2:2:same,conv:1:2:bias,dense:2", 2),
    ((1, 6, 6), "conv:2:3:s2,dense:3:bias", 2),
]


# --- exact rational Hessians, independent of HessianRank ------------------------------------------------------------

def convolve_exact(a, w, b, stride, same):
    """The cross-correlation of a batch a (N x C_in x spatial, object array of Fractions) with w, PyTorch's padding."""
    spatial = a.ndim - 2
    k = w.shape[2]
    if same:
        before = (k - 1) // 2
        a = np.pad(a, [(0, 0), (0, 0)] + [(before, k - 1 - before)] * spatial, constant_values=Fraction(0))
    sizes = [(n - k) // stride + 1 for n in a.shape[2:]]
    out = np.full((a.shape[0], w.shape[0], *sizes), Fraction(0), dtype=object)
    for n in range(a.shape[0]):
        for o in range(w.shape[0]):
            for position in np.ndindex(*sizes):
                total = Fraction(0) if b is None else b[o]
                for c in range(w.shape[1]):
                    for offset in np.ndindex(*([k] * spatial)):
                        index = tuple(p * stride + q for p, q in zip(position, offset))
                        total += w[(o, c) + offset] * a[(n, c) + index]
                out[(n, o) + position] = total
    return out


def forward_exact(layer_list, params, x):
    a = x
    for layer, (w, b) in zip(layer_list, params):
        if layer["kind"] == "conv":
            a = convolve_exact(a, w, b, layer["stride"], layer["same"])
        else:
            flat = a.reshape(a.shape[0], -1)
            a = np.array([[sum((w[o, j] * flat[n, j] for j in range(w.shape[1])), Fraction(0) if b is None else b[o])
                           for o in range(w.shape[0])] for n in range(flat.shape[0])], dtype=object)
    return a.reshape(a.shape[0], -1)


def fractions(array):
    return np.vectorize(Fraction, otypes=[object])(np.asarray(array, dtype=np.float64))


def exact_hessians(layers, weights, biases, x, y):
    """H_O, H_F, H_L of 1/2 sum_n |f(x_n) - y_n|^2 in PyTorch's parameter order, exactly: f is affine in each
    parameter and has no product of two parameters of one layer, so unit-step differences are its derivatives."""
    layer_list = parse_layers(layers)
    params = [(fractions(w), None if b is None else fractions(b)) for w, b in zip(weights, biases)]
    theta = np.concatenate([np.concatenate([w.reshape(-1)] + ([b] if b is not None else [])) for w, b in params])
    x, y = fractions(x), fractions(y)

    def f(th):
        rebuilt, k = [], 0
        for w, b in params:
            weight = th[k:k + w.size].reshape(w.shape)
            k += w.size
            bias = None
            if b is not None:
                bias, k = th[k:k + b.size], k + b.size
            rebuilt.append((weight, bias))
        return forward_exact(layer_list, rebuilt, x)

    p = theta.size
    unit = [np.array([Fraction(int(i == u)) for i in range(p)], dtype=object) for u in range(p)]
    f0 = f(theta)
    residual = f0 - y
    f1 = [f(theta + unit[u]) for u in range(p)]
    jac = [fu - f0 for fu in f1]
    outer = [[sum((jac[u] * jac[v]).reshape(-1), Fraction(0)) for v in range(p)] for u in range(p)]
    functional = [[Fraction(0)] * p for _ in range(p)]
    for u in range(p):
        for v in range(u + 1, p):
            second = f(theta + unit[u] + unit[v]) - f1[u] - f1[v] + f0
            functional[u][v] = functional[v][u] = sum((residual * second).reshape(-1), Fraction(0))
    loss = [[outer[u][v] + functional[u][v] for v in range(p)] for u in range(p)]
    return {"outer": outer, "functional": functional, "loss": loss}


def rank_over_q(matrix):
    """The rank of a matrix of Fractions, by Gaussian elimination."""
    rows = [list(row) for row in matrix]
    rank, columns = 0, len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(rank + 1, len(rows)):
            if rows[r][column] != 0:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank])]
        rank += 1
    return rank


def test_exact_helpers_by_hand():
    """f = w2 w1 x (one 1x1 convolution then a dense layer, x = 1): with target t, H_F = [[0, c], [c, 0]], c = 1 - t,
    H_O of rank 1: the helpers give ranks (1, 1, 0) at t = 1 and (2, 1, 2) at t = 0 (det H_L = -c (2 + c))."""
    for target, expected in ((1.0, (1, 1, 0)), (0.0, (2, 1, 2))):
        h = exact_hessians("conv:1:1,dense:1", [np.ones((1, 1, 1)), np.ones((1, 1))], [None, None],
                           np.ones((1, 1, 1)), np.array([[target]]))
        assert tuple(rank_over_q(h[part]) for part in PARTS) == expected


@pytest.mark.parametrize("index", range(len(CASES)))
def test_rank_cnn_is_the_exact_rank_at_fractional_values(index):
    """rank_cnn's certified ranks equal the ranks over Q of the Hessians computed here in rational arithmetic, at
    values over powers of two up to 2^10 (biases and targets at scales unrelated to the layers': the CLI's integer
    problem needs the extra power s > 0)."""
    input_shape, layers, samples = CASES[index]
    weights, biases, x, y = network(index, input_shape, layers, samples)
    result = hr.rank_cnn(input_shape, layers, weights, x, y, biases=biases, certify=True)
    h = exact_hessians(layers, weights, biases, x, y)
    assert result.ranks == {part: rank_over_q(h[part]) for part in PARTS}
    assert result.exact and result.input_exponents is not None


# --- rank_cnn against the CLI ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("index", range(len(CASES)))
@pytest.mark.parametrize("flatten", [False, True])
def test_rank_cnn_equals_cli_json(cli, tmp_path, index, flatten):
    """rank_cnn returns what `rank --input --layers --weights --json` prints for the same arrays (certified, so the
    same document), with x as a batch or flattened."""
    input_shape, layers, samples = CASES[index]
    weights, biases, x, y = network(10 + index, input_shape, layers, samples)
    if flatten:
        x = x.reshape(samples, -1)
    arrays = {f"w{t + 1}": w for t, w in enumerate(weights)}
    arrays.update({f"b{t + 1}": b for t, b in enumerate(biases) if b is not None})
    np.savez(tmp_path / "model.npz", x=x, y=y, **arrays)
    completed = subprocess.run([cli, "rank", "--input", "x".join(map(str, input_shape)), "--layers", layers,
                                "--weights", "model.npz", "--certify", "--json"],
                               cwd=tmp_path, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    expected = json.loads(completed.stdout)
    result = hr.rank_cnn("x".join(map(str, input_shape)), layers.split(","), weights, x, y, biases=biases,
                         certify=True)
    assert isinstance(result, hr.ConvRankResult) and result.raw == expected
    assert result.input == tuple(input_shape) and result.layers == layers and result.samples == samples
    assert result.input_exponents == expected["inputExponents"]
    assert result.ranks == {entry["part"]: entry["rank"] for entry in expected["parts"]}


def test_rank_cnn_refusals():
    weights, biases, x, y = network(1, (1, 5, 5), "conv:2:3:same:bias,dense:2", 2)
    with pytest.raises(ValueError, match=r"layer\(s\) 1 \(conv:2:3:same:bias\) have a bias: give biases"):
        hr.rank_cnn("1x5x5", "conv:2:3:same:bias,dense:2", weights, x, y)
    with pytest.raises(ValueError, match=r"layer 2 \(dense:2\) has no bias but biases\[1\] is given"):
        hr.rank_cnn("1x5x5", "conv:2:3:same:bias,dense:2", weights, x, y, biases=[biases[0], np.ones(2)])
    with pytest.raises(ValueError, match="1 biases for 2 layers"):
        hr.rank_cnn("1x5x5", "conv:2:3:same:bias,dense:2", weights, x, y, biases=[biases[0]])
    with pytest.raises(hr.HessianRankError) as raised:
        hr.rank_cnn("1x5x5", "conv:2:3:same:bias,dense:2", [weights[0][:, :, :2, :], weights[1]], x, y, biases=biases)
    assert str(raised.value) == ("--weights weights/w1.npy: shape (2, 1, 2, 3) does not fit layer 1 "
                                 "(conv:2:3:same:bias) on --input 1x5x5: its weight has shape (2, 1, 3, 3) "
                                 "(out channels, in channels, kernel, kernel)")
    with pytest.raises(hr.HessianRankError, match="--x x.npy: shape .* does not fit --input 1x5x5"):
        hr.rank_cnn("1x5x5", "conv:2:3:same:bias,dense:2", weights, x[:, :, :4, :], y, biases=biases)
    with pytest.raises(hr.HessianRankError, match="contains nan"):
        hr.rank_cnn("1x5x5", "conv:2:3:same:bias,dense:2", [weights[0], weights[1] * np.nan], x, y, biases=biases)


# --- PyTorch ----------------------------------------------------------------------------------------------------------

def torch_models(torch):
    """Sequentials of Conv1d/Conv2d, Flatten and Linear layers with PyTorch's own initialisation (float32), their
    input shape and N."""
    nn = torch.nn
    torch.manual_seed(0)
    return [
        (nn.Sequential(nn.Conv1d(1, 2, 3), nn.Flatten(), nn.Linear(12, 2, bias=False)), (1, 8), 3),
        (nn.Sequential(nn.Conv2d(1, 2, 3, padding="same"), nn.Conv2d(2, 2, 3, stride=2, bias=False), nn.Flatten(),
                       nn.Linear(2 * 2 * 2, 3)), (1, 6, 6), 2),
        (nn.Sequential(nn.Conv1d(2, 2, 3, padding=1, bias=False), nn.Conv1d(2, 1, 2, stride=2), nn.Flatten(),
                       nn.Linear(3, 2)), (2, 7), 3),
        (nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 2, padding="valid")), nn.Flatten(), nn.Linear(18, 2),
                       nn.Linear(2, 2, bias=False)), (1, 4, 4), 2),
    ]


def test_rank_torch_conv_equals_rank_cnn():
    """rank_torch on a conv Sequential is rank_cnn on its parameters (PyTorch shapes), its layers mapped to the
    CLI's text, the parameter count the model's."""
    torch = pytest.importorskip("torch")
    expected_layers = ["conv:2:3:bias,dense:2", "conv:2:3:same:bias,conv:2:3:s2,dense:3:bias",
                       "conv:2:3:same,conv:1:2:s2:bias,dense:2:bias", "conv:2:2:bias,dense:2:bias,dense:2"]
    for (model, input_shape, samples), layers in zip(torch_models(torch), expected_layers):
        x, y = torch.randn(samples, *input_shape), torch.randn(samples, model[-1].out_features)
        result = hr.rank_torch(model, x, y, certify=True)
        modules = [m for m in model.modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Linear))]
        weights = [m.weight.detach().numpy() for m in modules]
        biases = [None if m.bias is None else m.bias.detach().numpy() for m in modules]
        direct = hr.rank_cnn(input_shape, layers, weights, x.numpy(), y.numpy(), biases=biases, certify=True)
        assert isinstance(result, hr.ConvRankResult) and result.layers == layers
        assert result.raw == direct.raw
        assert result.parameters == sum(p.numel() for p in model.parameters())


def test_rank_torch_conv_matches_autograd_rank():
    """At the model's own float64 weights, numpy's rank of torch.autograd's Hessians (H_L, H_O = J^T J from the
    Jacobian, H_F = H_L - H_O) equals rank_torch's exact ranks, where the singular values have a clear gap at that
    rank: one hidden convolution of 4 channels on 1 x 16 and a dense layer to 2, N = 20, whose ranks (55, 32 and 24
    of 124) are far below p."""
    torch = pytest.importorskip("torch")
    from torch.func import functional_call
    nn = torch.nn
    torch.manual_seed(3)
    model = nn.Sequential(nn.Conv1d(1, 4, 3, bias=False), nn.Flatten(), nn.Linear(4 * 14, 2, bias=False)).double()
    x, y = torch.randn(20, 1, 16, dtype=torch.float64), torch.randn(20, 2, dtype=torch.float64)
    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]
    theta = torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def unflatten(th):
        params, k = {}, 0
        for name, shape in zip(names, shapes):
            size = int(np.prod(shape))
            params[name], k = th[k:k + size].reshape(shape), k + size
        return params

    def outputs(th):
        return functional_call(model, unflatten(th), (x,)).reshape(-1)

    def loss(th):
        return 0.5 * torch.sum((outputs(th).reshape(y.shape) - y) ** 2)

    h_loss = torch.autograd.functional.hessian(loss, theta).numpy()
    jacobian = torch.autograd.functional.jacobian(outputs, theta).numpy()
    result = hr.rank_torch(model, x, y, certify=True)
    assert result.ranks == {"loss": 55, "outer": 32, "functional": 24}
    h_outer = jacobian.T @ jacobian
    for part, matrix in (("loss", h_loss), ("outer", h_outer), ("functional", h_loss - h_outer)):
        exact = result.parts[part].rank
        singular = np.linalg.svd(matrix, compute_uv=False)
        assert singular[exact - 1] > 1e6 * (singular[exact] if exact < len(singular) else 0), (part, singular)
        assert np.linalg.matrix_rank(matrix) == exact, part


def test_rank_torch_conv_refusals():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    x2, x1, y = torch.randn(2, 1, 6, 6), torch.randn(2, 1, 8), torch.randn(2, 2)
    cases = [
        (nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 1, 3), nn.Flatten(), nn.Linear(4, 2)), x2,
         r"layer 1 \(ReLU\(\)\) is not supported in a model with convolutions: HessianRank ranks linear CNNs.*"
         r"\(ReLU CNNs are not supported yet\)"),
        (nn.Sequential(nn.Conv2d(1, 2, 3, dilation=2), nn.Flatten(), nn.Linear(8, 2)), x2,
         r"layer 0 \(Conv2d.*\): dilation \(2, 2\)\. HessianRank's convolutions have square kernels"),
        (nn.Sequential(nn.Conv2d(1, 2, 3, groups=1), nn.Conv2d(2, 2, 3, groups=2), nn.Flatten(), nn.Linear(8, 2)),
         x2, r"layer 1 \(Conv2d.*\): groups=2"),
        (nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1), nn.Flatten(), nn.Linear(18, 2)), x2,
         r"padding \(1, 1\) with stride \(2, 2\)"),
        (nn.Sequential(nn.Conv2d(1, 2, (3, 2)), nn.Flatten(), nn.Linear(40, 2)), x2, r"kernel_size \(3, 2\) is not square"),
        (nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect"), nn.Flatten(), nn.Linear(72, 2)), x2,
         r"padding_mode='reflect'"),
        (nn.Sequential(nn.Conv1d(1, 2, 3), nn.Flatten(), nn.Linear(12, 2)), x2, r"does not fit x of shape \(2, 1, 6, 6\)"),
        (nn.Sequential(nn.Conv1d(1, 2, 3), nn.Linear(6, 2)), x1, r"layer 1 \(Linear.*\) before a Flatten"),
        (nn.Sequential(nn.Conv1d(1, 2, 3), nn.Flatten(), nn.Linear(12, 2), nn.Tanh(), nn.Linear(2, 2)), x1,
         r"layer 3 \(Tanh\(\)\) is not supported"),
        (nn.Sequential(nn.Conv1d(1, 2, 3), nn.Flatten(), nn.Linear(12, 2)), x1.reshape(2, 8),
         r"needs x as a batch N x C x L"),
    ]
    for model, x, message in cases:
        with pytest.raises(ValueError, match=message):
            hr.rank_torch(model, x, y)
