"""Writes the small checkpoints of other frameworks that the foreign-reader tests read.

Run once per framework, each in its own throwaway environment (none is a dependency of
bricks or of its tests); every run rewrites only the files of the framework it finds:

    /work/main/.venv/bin/python tests/serialization/data/make_files.py           # torch 2.13.0
    /tmp/mxenv/bin/python tests/serialization/data/make_files.py   # mxnet==1.9.1, numpy<1.24
    /tmp/msenv/bin/python tests/serialization/data/make_files.py   # mindspore==2.10.0

The values come from ``reference_arrays()``, which needs only NumPy, so the tests rebuild
the exact arrays each file must load to without any framework installed.
"""

from __future__ import annotations

import collections
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# The MLP and CNN whose state dicts every framework writes (names as in PyTorch).
MLP_SHAPES = {"0.weight": (8, 4), "0.bias": (8,), "2.weight": (3, 8), "2.bias": (3,)}
CNN_SHAPES = {"0.weight": (4, 2, 3, 3), "0.bias": (4,), "4.weight": (2, 16), "4.bias": (2,)}
DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def reference_arrays(shapes: dict[str, tuple], seed: int) -> dict[str, np.ndarray]:
    """float32 arrays of the given shapes from a fixed seed."""
    rng = np.random.default_rng(seed)
    return collections.OrderedDict(
        (name, rng.standard_normal(shape).astype(np.float32)) for name, shape in shapes.items())


def dtype_arrays() -> dict[str, np.ndarray]:
    """One small array per common dtype, plus a scalar and an empty array."""
    rng = np.random.default_rng(7)
    arrays: dict[str, np.ndarray] = collections.OrderedDict()
    for dtype in DTYPES:
        if dtype == "bool":
            arrays[dtype] = rng.integers(0, 2, (2, 3)).astype(bool)
        elif dtype.startswith("float"):
            arrays[dtype] = rng.standard_normal((2, 3)).astype(dtype)
        else:
            info = np.iinfo(dtype)
            low, high = max(info.min, -1000), min(info.max, 1000)
            arrays[dtype] = rng.integers(low, high, (2, 3)).astype(dtype)
    arrays["scalar"] = np.array(3.5, dtype=np.float32)
    arrays["empty"] = np.zeros((0, 3), dtype=np.float32)
    return arrays


# --------------------------------------------------------------------------- PyTorch
def make_torch() -> None:
    import torch

    def mlp() -> torch.nn.Module:
        return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))

    def cnn() -> torch.nn.Module:
        return torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3), torch.nn.ReLU(),
                                   torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                   torch.nn.Linear(16, 2))

    for name, build, shapes, seed in (("mlp", mlp, MLP_SHAPES, 1), ("cnn", cnn, CNN_SHAPES, 2)):
        net = build()
        net.load_state_dict({k: torch.from_numpy(v) for k, v in
                             reference_arrays(shapes, seed).items()})
        state = net.state_dict()
        torch.save(state, os.path.join(HERE, f"torch_{name}.pt"))
        torch.save(state, os.path.join(HERE, f"torch_{name}_legacy.pt"),
                   _use_new_zipfile_serialization=False)
    dtypes = {k: torch.from_numpy(v.copy()) for k, v in dtype_arrays().items()}
    for path, kwargs in (("torch_dtypes.pt", {}),
                         ("torch_dtypes_legacy.pt", {"_use_new_zipfile_serialization": False})):
        torch.save(dtypes, os.path.join(HERE, path), **kwargs)
    # Views of one storage (tied, offset, transposed), a Parameter, nested containers,
    # plain values and a bfloat16 tensor: what real checkpoints hold besides a flat dict.
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    extras = {"base": base, "tied": base, "row": base[1], "transposed": base.t(),
              "param": torch.nn.Parameter(torch.ones(2)), "bf16": torch.tensor(
                  [1.5, -2.25, 3.0], dtype=torch.bfloat16),
              "nested": [1, 2.5, "text", None, True, (3, base[2, 1:3])],
              "step": 10, "ordered": collections.OrderedDict(a=torch.zeros(1, dtype=torch.int64))}
    torch.save(extras, os.path.join(HERE, "torch_views.pt"))
    torch.save(extras, os.path.join(HERE, "torch_views_legacy.pt"),
               _use_new_zipfile_serialization=False)
    tar_state = reference_arrays(MLP_SHAPES, 1)
    tar_state["steps"] = np.arange(3, dtype=np.int64)
    write_torch_tar(os.path.join(HERE, "torch_mlp_tar.pt"), tar_state)


def write_torch_tar(path: str, state: dict[str, np.ndarray]) -> None:
    """A PyTorch < 0.4 tar checkpoint, built by hand to the layout ``torch.load`` reads.

    No installable PyTorch writes this format any more, so it is written here member by
    member as ``torch.serialization.legacy_load`` reads it: ``sys_info``; ``pickle`` (the
    object, each tensor a persistent id ``str(key)``); ``tensors`` (a count, then per
    tensor a pickled ``(key, storage key, tensor type)`` and int32 ndim, 4 pad bytes, the
    int64 sizes, strides and storage offset); ``storages`` (a count, per storage a pickled
    ``(key, location, storage type)``, an int64 element count and the bytes, then the list
    of storage views ``(key, root key, offset, numel)``). The last tensor views the first
    storage at an offset, through a storage view, as old checkpoints could.
    """
    import io
    import pickle
    import struct
    import tarfile

    import torch

    storage_types = {np.dtype(np.float32): (torch.FloatStorage, torch.FloatTensor),
                     np.dtype(np.int64): (torch.LongStorage, torch.LongTensor)}
    storages, tensors, views = io.BytesIO(), io.BytesIO(), []
    pickle.dump(len(state), storages, protocol=2)
    pickle.dump(len(state) + 1, tensors, protocol=2)
    keys = {}
    for index, (name, array) in enumerate(state.items()):
        storage_type, tensor_type = storage_types[array.dtype]
        pickle.dump((index, "cpu", storage_type), storages, protocol=2)
        storages.write(struct.pack("<q", array.size) + np.ascontiguousarray(array).tobytes())
        pickle.dump((100 + index, index, tensor_type), tensors, protocol=2)
        strides = [s // array.itemsize for s in array.strides]
        tensors.write(struct.pack(f"<i4x{2 * array.ndim + 1}q", array.ndim, *array.shape,
                                  *strides, 0))
        keys[name] = 100 + index
    views.append((50, 0, 2, 4))  # storage 50: elements 2..5 of storage 0
    pickle.dump(views, storages, protocol=2)
    pickle.dump((200, 50, torch.FloatTensor), tensors, protocol=2)
    tensors.write(struct.pack("<i4x3q", 1, 3, 1, 1))  # size 3, stride 1, offset 1 in the view
    keys["view"] = 200

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj: object) -> str | None:
            return str(obj.key) if isinstance(obj, _TensorRef) else None

    class _TensorRef:
        def __init__(self, key: int) -> None:
            self.key = key

    main = io.BytesIO()
    Pickler(main, protocol=2).dump(collections.OrderedDict(
        (name, _TensorRef(key)) for name, key in keys.items()))
    sys_info = pickle.dumps({"protocol_version": 1000, "little_endian": True,
                             "type_sizes": {"short": 2, "int": 4, "long": 8}}, protocol=2)
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as archive:
        for member, data in (("sys_info", sys_info), ("pickle", main.getvalue()),
                             ("tensors", tensors.getvalue()), ("storages", storages.getvalue())):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


# --------------------------------------------------------------------------- MXNet
def make_mxnet() -> None:
    import mxnet as mx
    from mxnet import gluon, nd

    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(8, in_units=4, activation="relu"), gluon.nn.Dense(3, in_units=8))
    net.initialize()
    mxnet_names = dict(zip(net.collect_params().keys(), MLP_SHAPES))
    reference = reference_arrays(MLP_SHAPES, 1)
    for gluon_name, parameter in net.collect_params().items():
        parameter.set_data(nd.array(reference[mxnet_names[gluon_name]]))
    net.save_parameters(os.path.join(HERE, "mxnet_mlp.params"))
    arrays = {k: nd.array(v, dtype=v.dtype) for k, v in dtype_arrays().items()
              if k not in ("scalar", "int16")}  # MXNet 1.9.1 has no int16 NDArray; a
    # 0-d NDArray means "no array" in its classic shapes (the np-shape file below has one)
    nd.save(os.path.join(HERE, "mxnet_dtypes.params"), arrays)
    nd.save(os.path.join(HERE, "mxnet_list.nd"), [nd.array(v) for v in
                                                  reference_arrays(CNN_SHAPES, 2).values()])
    mx.npx.set_np()  # NumPy shape semantics: version-3 arrays, 0-d allowed
    if True:
        mx.npx.save(os.path.join(HERE, "mxnet_np.params"),
                    {"scalar": mx.np.array(dtype_arrays()["scalar"]),
                     "matrix": mx.np.array(dtype_arrays()["float64"], dtype="float64")})


# --------------------------------------------------------------------------- MindSpore
def make_mindspore() -> None:
    import mindspore as ms
    from mindspore import nn

    class MLP(nn.Cell):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = nn.Dense(4, 8)
            self.fc2 = nn.Dense(8, 3)

        def construct(self, x):
            return self.fc2(nn.ReLU()(self.fc1(x)))

    net = MLP()
    reference = reference_arrays(MLP_SHAPES, 1)
    for (_, parameter), value in zip(net.parameters_and_names(), reference.values()):
        parameter.set_data(ms.Tensor(value))
    ms.save_checkpoint(net, os.path.join(HERE, "mindspore_mlp.ckpt"))
    arrays = [{"name": k, "data": ms.Tensor(v)} for k, v in dtype_arrays().items()]
    ms.save_checkpoint(arrays, os.path.join(HERE, "mindspore_dtypes.ckpt"))
    bf16 = ms.Tensor(np.array([1.5, -2.25, 3.0], dtype=np.float32), ms.bfloat16)
    ms.save_checkpoint([{"name": "bf16", "data": bf16}],
                       os.path.join(HERE, "mindspore_bf16.ckpt"))


if __name__ == "__main__":
    made = []
    for module, make in (("torch", make_torch), ("mxnet", make_mxnet),
                         ("mindspore", make_mindspore)):
        try:
            __import__(module)
        except ImportError:
            continue
        make()
        made.append(module)
    print("wrote the files of", made or "no framework found", file=sys.stderr)
