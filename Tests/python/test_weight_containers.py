"""`hessian-rank rank --weights FILE` on one file that numpy.savez, numpy.savez_compressed or
safetensors.numpy.save_file wrote: the same exact ranks (and the same power-of-two exponents of the inputs) as the
folder of .npy files holding the same arrays; a bad container exits 2 with the file and the key named.

The binary is `hessian-rank` from `swift build --show-bin-path`, or $HESSIAN_RANK (test_fixtures.binary). The
safetensors tests are skipped when the safetensors package is not installed.
"""
import functools
import json
import subprocess

import numpy as np
import pytest

from test_fixtures import binary

hessian_rank = functools.cache(binary)


def network(bias, seed=3):
    """A relu network 5 -> 4 -> 3 -> 2 (with biases or not) on N = 7 samples: dyadic float64 weights, biases, data
    and targets, plus a float32 layer and int64 data, as a trained model's export might mix them."""
    rng = np.random.default_rng(seed)
    arrays = {
        "w1": rng.integers(-16, 17, size=(4, 5)) / 8,
        "w2": (rng.integers(-16, 17, size=(3, 4)) / 4).astype(np.float32),
        "w3": rng.integers(-16, 17, size=(2, 3)) / 16,
        "x": rng.integers(-16, 17, size=(7, 5)).astype(np.int64),
        "y": rng.integers(-16, 17, size=(7, 2)) / 32,
    }
    if bias:
        arrays.update(b1=rng.integers(-16, 17, size=4) / 64, b2=rng.integers(-16, 17, size=(3, 1)) / 128,
                      b3=rng.integers(-16, 17, size=2) / 256)
    return arrays


def rank(*arguments):
    result = subprocess.run([hessian_rank(), "rank", *map(str, arguments), "--activation", "relu", "--json"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    return report["ranks"], report["inputExponents"]


def from_folder(arrays, folder):
    folder.mkdir()
    for key, array in arrays.items():
        np.save(folder / f"{key}.npy", array)
    return rank("--weights", folder, "--x", folder / "x.npy", "--y", folder / "y.npy")


def save_safetensors(path, arrays):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    safetensors_numpy.save_file({key: np.ascontiguousarray(a) for key, a in arrays.items()}, str(path))


WRITERS = {
    "savez": lambda path, arrays: np.savez(path, **arrays),
    "savez_compressed": lambda path, arrays: np.savez_compressed(path, **arrays),
    "safetensors": save_safetensors,
}
SUFFIX = {"savez": ".npz", "savez_compressed": ".npz", "safetensors": ".safetensors"}


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("bias", [False, True], ids=["no-bias", "bias"])
@pytest.mark.parametrize("data_inside", [True, False], ids=["xy-inside", "xy-files"])
def test_one_file_gives_the_folder_ranks(writer, bias, data_inside, tmp_path):
    arrays = network(bias)
    expected = from_folder(arrays, tmp_path / "folder")
    path = tmp_path / ("model" + SUFFIX[writer])
    if data_inside:
        WRITERS[writer](path, arrays)
        got = rank("--weights", path)
    else:
        WRITERS[writer](path, {k: a for k, a in arrays.items() if k not in ("x", "y")})
        got = rank("--weights", path, "--x", tmp_path / "folder" / "x.npy", "--y", tmp_path / "folder" / "y.npy")
    assert got == expected


def refused(path, *extra):
    result = subprocess.run([hessian_rank(), "rank", "--weights", str(path), *map(str, extra)],
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: --weights {path}"), result.stderr
    return result.stderr


def test_bad_npz_files_name_the_key(tmp_path):
    arrays = network(bias=True)
    np.savez(tmp_path / "missing.npz", **{k: a for k, a in arrays.items() if k != "w2"})
    assert "key w2: missing" in refused(tmp_path / "missing.npz")
    np.savez_compressed(tmp_path / "int32.npz", **dict(arrays, w3=arrays["w3"].astype(np.int32)))
    assert "key w3: unsupported dtype <i4" in refused(tmp_path / "int32.npz")
    np.savez(tmp_path / "torch.npz", **dict(arrays, **{"fc1.weight": arrays["w1"]}))
    assert "key fc1.weight: not an array of the network" in refused(tmp_path / "torch.npz")
    np.savez(tmp_path / "nan.npz", **dict(arrays, b2=np.full((3, 1), np.nan)))
    assert "key b2: contains nan" in refused(tmp_path / "nan.npz")
    whole = (tmp_path / "missing.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(whole[: len(whole) // 2])
    assert "truncated zip archive" in refused(tmp_path / "cut.npz")
    np.save(tmp_path / "x.npy", arrays["x"])
    message = refused(tmp_path / "int32.npz", "--x", tmp_path / "x.npy")
    assert "key w3" in message  # the bad member is found before the data are compared


def test_x_inside_and_given_is_refused(tmp_path):
    arrays = network(bias=False)
    np.savez(tmp_path / "model.npz", **arrays)
    np.save(tmp_path / "x.npy", arrays["x"])
    result = subprocess.run([hessian_rank(), "rank", "--weights", str(tmp_path / "model.npz"), "--x", str(tmp_path / "x.npy")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == ""
    assert f"--x {tmp_path / 'x.npy'}: not with --weights {tmp_path / 'model.npz'}, which holds the data as key x" in result.stderr


def test_bad_safetensors_files_name_the_key(tmp_path):
    arrays = network(bias=False)
    save_safetensors(tmp_path / "f16.safetensors", dict(arrays, w2=arrays["w2"].astype(np.float16)))
    assert "key w2: unsupported dtype F16: use F64, F32, I64 or I32" in refused(tmp_path / "f16.safetensors")
    save_safetensors(tmp_path / "gap.safetensors", {k: a for k, a in arrays.items() if k != "w1"})
    assert "key w1: missing" in refused(tmp_path / "gap.safetensors")
    whole = (tmp_path / "gap.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(whole[:-8])
    assert "run past the data buffer" in refused(tmp_path / "cut.safetensors")
    (tmp_path / "length.safetensors").write_bytes(len(whole).to_bytes(8, "little") + whole[8:])
    assert "the header length field promises" in refused(tmp_path / "length.safetensors")
