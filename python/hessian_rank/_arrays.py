"""Writing NumPy arrays as the .npy files `hessian-rank` reads (float64, float32 or int64, C order, little-endian)."""
from __future__ import annotations

import pathlib
from typing import Any

import numpy as np


def as_npy_array(value: Any, name: str) -> np.ndarray:
    """`value` as an array the CLI reads, with the same values: float64 and float32 stay; float16 becomes float64;
    booleans and integers become int64 (refused if a value does not fit). Shapes are left to the CLI to judge."""
    array = np.asarray(value)
    kind = array.dtype.kind
    if kind == "f":
        if array.dtype.itemsize > 8:
            raise TypeError(f"{name}: {array.dtype} would lose precision as float64; convert it to float64 yourself")
        target = np.dtype("<f4") if array.dtype.itemsize == 4 else np.dtype("<f8")
    elif kind in "biu":
        if kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
            raise TypeError(f"{name}: a value is above the int64 range")
        target = np.dtype("<i8")
    else:
        raise TypeError(f"{name}: dtype {array.dtype} is not a real number type (give float64, float32 or integers)")
    return np.ascontiguousarray(array.astype(target, copy=False))


def save(folder: pathlib.Path, filename: str, value: Any, name: str) -> None:
    np.save(folder / filename, as_npy_array(value, name), allow_pickle=False)
