"""Spatial transformers of ``bricks.nn.functional`` (re-exported there): ``affine_grid`` and
``grid_sample`` (Jaderberg et al., Spatial Transformer Networks, 2015).

Composites: ``affine_grid`` is one matrix product of a fixed base grid with ``theta``;
``grid_sample`` turns the grid into pixel coordinates with differentiable ops, finds the
corner pixels on the detached coordinates, gathers them (whose backward scatters into the
input) and weights them by the distances (whose backward reaches the grid).
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import ops
from .._device import array_module, xp
from .._dtypes import scalar_type_name
from .._tensor import Tensor

__all__ = ["affine_grid", "grid_sample"]


def _align_corners(align_corners: bool | None) -> bool:
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if "
                      "the old behavior is desired. See the documentation of grid_sample for "
                      "details.", UserWarning, stacklevel=3)
        return False
    return align_corners


def _steps(module: Any, n: int, align_corners: bool, dtype: Any) -> Any:
    """The normalised coordinates of n pixel centres (corners with ``align_corners``)."""
    if n <= 1:
        return module.zeros(n, dtype)
    steps = module.linspace(-1.0, 1.0, n, dtype=dtype)
    return steps if align_corners else steps * ((n - 1) / n)


def affine_grid(theta: Tensor, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) of the affine maps ``theta``
    (N, 2, 3) (or (N, 3, 4)) for an output of ``size`` (N, C, H, W) (or (N, C, D, H, W)):
    each output pixel's normalised (x, y[, z]) times ``theta``.

    Raises:
        ValueError: for a non-float theta, a theta of the wrong shape or an empty size.
        NotImplementedError: for a size that is not 4-D or 5-D.
    """
    align_corners = _align_corners(align_corners)
    size = tuple(size)
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got "
                         f"{str(theta.dtype).replace('bricks.', 'torch.')}")
    if len(size) not in (4, 5):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    dims = len(size) - 2
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (dims, dims + 1):
        raise ValueError(f"Expected a batch of {dims}D affine matrices of shape Nx{dims}x"
                         f"{dims + 1} for size {size}. Got "
                         f"{str(theta.shape).replace('bricks.', 'torch.')}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if align_corners and min(size[2:]) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      UserWarning, stacklevel=2)
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {dims + 1}] but got: [{theta.shape[0]}, {dims + 1}].")
    module, dtype = array_module(theta._value), theta._value.dtype
    spatial = size[2:]
    axes = [_steps(module, n, align_corners, dtype) for n in reversed(spatial)]  # x, y[, z]
    mesh = module.meshgrid(*reversed(axes), indexing="ij")  # each of shape spatial
    base = module.stack(list(reversed(mesh)) + [module.ones(spatial, dtype)], axis=-1)
    flat = Tensor._wrap(base.reshape(1, -1, dims + 1))
    grid = ops.matmul(flat, theta.transpose(1, 2))
    return grid.reshape(size[0], *spatial, dims)


# ----- grid_sample -----
def _unnormalize(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _clip(coord: Tensor, size: int) -> Tensor:
    """Into [0, size - 1]; no gradient where clipped (PyTorch's, even at the bounds)."""
    return ops.where(coord <= 0, 0.0, ops.where(coord >= size - 1, float(size - 1), coord))


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """Reflect into [low, high] off its ends as often as needed (PyTorch's reflection)."""
    if twice_low == twice_high:
        return coord.detach() * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    offset = coord - low
    distance = ops.where(offset < 0, -offset, offset)
    flips = xp.floor(distance._value / span)
    extra = distance - Tensor._wrap(flips * span)
    return ops.where(Tensor._wrap(flips % 2 == 0), extra + low, span - extra + low)


def _source(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """A grid coordinate as a pixel coordinate, after the padding mode's clipping."""
    coord = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        return _clip(coord, size)
    if padding_mode == "reflection":
        twice = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        return _clip(_reflect(coord, *twice), size)
    return coord


def _pixels(flat: Tensor, height: int, width: int, rows: Any, cols: Any) -> Tensor:
    """``input[n, :, rows, cols]`` as (N, C, h, w) from ``flat`` (N, C, H * W); zero where
    (rows, cols) is outside the image."""
    n, c = flat.shape[:2]
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    index = xp.where(inside, rows * width + cols, 0).astype(xp.int64)
    index = array_module(index).broadcast_to(index.reshape(n, 1, -1), (n, c, index[0].size))
    values = ops.gather(flat, 2, Tensor._wrap(index.copy()))
    values = values.reshape(n, c, *rows.shape[1:])
    return ops.where(Tensor._wrap(inside[:, None]), values, 0.0)


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample (N, C, H, W) at the normalised (x, y) of ``grid`` (N, h, w, 2): -1 is the
    left/top edge (pixel centre with ``align_corners``), 1 the right/bottom one.

    Args:
        mode: ``'bilinear'`` (the 4 neighbours, weighted) or ``'nearest'`` (half to even).
        padding_mode: outside the image, ``'zeros'``, the ``'border'`` value, or the
            ``'reflection'`` of the image.
        align_corners: see above; None warns and uses False, as PyTorch.

    Returns:
        (N, C, h, w), differentiable with respect to the input and (bilinear) the grid.

    Raises:
        ValueError: for an unknown mode or padding_mode.
        RuntimeError: for mismatched batch sizes, grid shape or dtypes.
        NotImplementedError: for 5-D (volumetric) input or mode 'bicubic'.
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    align_corners = _align_corners(align_corners)
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in "
                           f"last dimension, but got grid with sizes {list(grid.shape)}")
    if input.ndim != grid.ndim or input.ndim not in (4, 5):
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if input._value.dtype != grid._value.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input._value.dtype)} but "
                           f"found {scalar_type_name(grid._value.dtype)}")
    if input.ndim == 5 or mode == "bicubic":
        raise NotImplementedError("grid_sample: bricks samples 4-D input in 'bilinear' or "
                                  "'nearest' mode only (no volumetric input, no 'bicubic')")
    n, c, height, width = input.shape
    x = _source(grid[..., 0], width, padding_mode, align_corners)
    y = _source(grid[..., 1], height, padding_mode, align_corners)
    flat = input.reshape(n, c, height * width)
    with xp.errstate(invalid="ignore"):
        if mode == "nearest":
            return _pixels(flat, height, width, xp.rint(y._value), xp.rint(x._value))
        left, top = xp.floor(x._value), xp.floor(y._value)
    right_w = x - Tensor._wrap(left)
    bottom_w = y - Tensor._wrap(top)
    out: Tensor | None = None
    for dy, wy in ((0, 1 - bottom_w), (1, bottom_w)):
        for dx, wx in ((0, 1 - right_w), (1, right_w)):
            term = _pixels(flat, height, width, top + dy, left + dx) * (wy * wx).unsqueeze(1)
            out = term if out is None else out + term
    assert out is not None
    return out
