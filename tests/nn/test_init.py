"""nn.init: formulas against torch's (fans, gains, deterministic fills exactly; random fills
statistically, with tolerances from the sample size and Kolmogorov-Smirnov tests), and the
initializer objects."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.init as tinit
from scipy import stats

import bricks
from bricks.nn import Parameter, init

SHAPES = [(3, 4), (5, 1), (1, 7), (6, 3, 5), (8, 4, 3, 3), (2, 3, 2, 4, 5), (16, 1, 5, 5)]
P_MIN = 1e-3  # KS p-value below which a fixed-seed sample is rejected


def _big(*shape: int) -> bricks.Tensor:
    return bricks.empty(*shape, dtype=bricks.float64)


def _values(t: bricks.Tensor) -> np.ndarray:
    return t.detach().numpy().ravel()


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_equal_torchs(shape: tuple) -> None:
    ours = init._calculate_fan_in_and_fan_out(bricks.empty(*shape))
    assert ours == tinit._calculate_fan_in_and_fan_out(torch.empty(*shape))


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
    ("conv_transpose1d", None), ("conv_transpose2d", None), ("conv_transpose3d", None),
    ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
    ("leaky_relu", 0.2), ("leaky_relu", 3), ("leaky_relu", math.sqrt(5)), ("selu", None)])
def test_gains_equal_torchs(nonlinearity: str, param: float | None) -> None:
    assert init.calculate_gain(nonlinearity, param) == tinit.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("call", [
    lambda m, t: m.calculate_gain("softplus"),
    lambda m, t: m.calculate_gain("leaky_relu", True),
    lambda m, t: m.calculate_gain("leaky_relu", "0.1"),
    lambda m, t: m._calculate_fan_in_and_fan_out(t.empty(4)),
    lambda m, t: m.kaiming_uniform_(t.empty(3, 4), mode="fan_avg"),
    lambda m, t: m.eye_(t.empty(2, 3, 4)),
    lambda m, t: m.dirac_(t.empty(3, 4)),
    lambda m, t: m.dirac_(t.empty(3, 4, 3), groups=2),
    lambda m, t: m.orthogonal_(t.empty(4)),
    lambda m, t: m.sparse_(t.empty(2, 3, 4), 0.1),
    lambda m, t: m.xavier_uniform_(t.empty(5)),
], ids=["gain_name", "gain_bool", "gain_str", "fan_1d", "mode", "eye_3d", "dirac_2d",
        "dirac_groups", "orthogonal_1d", "sparse_3d", "xavier_1d"])
def test_bad_arguments_raise_torchs_exception_type(call) -> None:
    with pytest.raises(Exception) as theirs:
        call(tinit, torch)
    with pytest.raises(theirs.type):
        call(init, bricks)


@pytest.mark.parametrize("fill", [
    lambda m, t: m.constant_(t, 0.25), lambda m, t: m.ones_(t), lambda m, t: m.zeros_(t)])
@pytest.mark.parametrize("shape", SHAPES)
def test_constant_fills_are_exact(fill, shape: tuple) -> None:
    ours, theirs = bricks.empty(*shape), torch.empty(*shape)
    fill(init, ours)
    fill(tinit, theirs)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("shape", [(3, 3), (3, 5), (6, 2)])
def test_eye_equals_torchs(shape: tuple) -> None:
    ours = init.eye_(bricks.empty(*shape))
    np.testing.assert_array_equal(ours.numpy(), tinit.eye_(torch.empty(*shape)).numpy())


@pytest.mark.parametrize("shape, groups", [
    ((4, 4, 3), 1), ((6, 3, 5), 1), ((2, 5, 3, 3), 1), ((6, 2, 3, 4), 3), ((4, 4, 3, 3, 3), 2),
    ((8, 2, 2, 2), 2)])
def test_dirac_equals_torchs_and_makes_conv_an_identity(shape: tuple, groups: int) -> None:
    ours = init.dirac_(bricks.empty(*shape), groups=groups)
    theirs = tinit.dirac_(torch.empty(*shape), groups=groups)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    if len(shape) == 4 and groups == 1 and shape[0] <= shape[1]:
        x = bricks.randn(2, shape[1], 6, 6)
        y = bricks.nn.functional.conv2d(x, ours, padding="same")
        np.testing.assert_allclose(y.numpy(), x.numpy()[:, :shape[0]], atol=1e-6)


@pytest.mark.parametrize("shape", [(5, 5), (3, 8), (8, 3), (6, 2, 3, 3), (2, 20)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape: tuple) -> None:
    w = init.orthogonal_(_big(*shape), gain=2.5).numpy().reshape(shape[0], -1)
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(gram, 2.5**2 * np.eye(gram.shape[0]), atol=1e-10)


def _ks(values: np.ndarray, cdf) -> float:
    return stats.kstest(values, cdf).pvalue


def _check_normal(values: np.ndarray, mean: float, std: float) -> None:
    n = values.size
    assert abs(values.mean() - mean) < 5 * std / math.sqrt(n)
    assert abs(values.std() - std) < 5 * std / math.sqrt(2 * n)
    assert _ks(values, stats.norm(mean, std).cdf) > P_MIN


def _check_uniform(values: np.ndarray, low: float, high: float) -> None:
    assert low <= values.min() and values.max() <= high
    assert _ks(values, stats.uniform(low, high - low).cdf) > P_MIN


def test_uniform_and_normal_follow_their_distributions() -> None:
    bricks.manual_seed(0)
    _check_uniform(_values(init.uniform_(_big(300, 200), -0.5, 1.5)), -0.5, 1.5)
    _check_normal(_values(init.normal_(_big(300, 200), 0.3, 2.0)), 0.3, 2.0)


@pytest.mark.parametrize("shape", [(300, 200), (64, 32, 3, 3)])
def test_xavier_follows_glorots_formula(shape: tuple) -> None:
    bricks.manual_seed(1)
    fan_in, fan_out = tinit._calculate_fan_in_and_fan_out(torch.empty(*shape))
    std = 0.7 * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3) * std
    _check_uniform(_values(init.xavier_uniform_(_big(*shape), gain=0.7)), -bound, bound)
    _check_normal(_values(init.xavier_normal_(_big(*shape), gain=0.7)), 0.0, std)


@pytest.mark.parametrize("a, mode, nonlinearity", [
    (0, "fan_in", "leaky_relu"), (math.sqrt(5), "fan_in", "leaky_relu"),
    (0, "fan_out", "relu"), (0, "fan_in", "tanh")])
def test_kaiming_follows_hes_formula(a: float, mode: str, nonlinearity: str) -> None:
    bricks.manual_seed(2)
    shape = (64, 32, 3, 3)
    fan_in, fan_out = tinit._calculate_fan_in_and_fan_out(torch.empty(*shape))
    std = tinit.calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    bound = math.sqrt(3) * std
    values = _values(init.kaiming_uniform_(_big(*shape), a, mode, nonlinearity))
    _check_uniform(values, -bound, bound)
    _check_normal(_values(init.kaiming_normal_(_big(*shape), a, mode, nonlinearity)), 0.0, std)


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (1.0, 0.5, 0.8, 3.0),
                                             (0.0, 0.02, -0.04, 0.04), (0.0, 1.0, 3.0, 4.0)])
def test_trunc_normal_follows_the_truncated_normal(mean: float, std: float, a: float,
                                                  b: float) -> None:
    bricks.manual_seed(3)
    values = _values(init.trunc_normal_(_big(200, 300), mean, std, a, b))
    assert a <= values.min() and values.max() <= b
    law = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    assert _ks(values, law.cdf) > P_MIN
    assert abs(values.mean() - law.mean()) < 5 * law.std() / math.sqrt(values.size)


def test_sparse_zeroes_ceil_sparsity_rows_per_column() -> None:
    bricks.manual_seed(4)
    w = init.sparse_(_big(50, 400), sparsity=0.33, std=0.1).numpy()
    assert ((w == 0).sum(axis=0) == math.ceil(0.33 * 50)).all()
    _check_normal(w[w != 0], 0.0, 0.1)


def test_generator_makes_fills_reproducible() -> None:
    first = init.kaiming_uniform_(bricks.empty(4, 5), generator=bricks.Generator().manual_seed(7))
    second = init.kaiming_uniform_(bricks.empty(4, 5), generator=bricks.Generator().manual_seed(7))
    np.testing.assert_array_equal(first.numpy(), second.numpy())


@pytest.mark.parametrize("fill", [
    lambda t: init.uniform_(t), lambda t: init.normal_(t), lambda t: init.trunc_normal_(t),
    lambda t: init.constant_(t, 2.0), lambda t: init.xavier_normal_(t),
    lambda t: init.kaiming_normal_(t), lambda t: init.orthogonal_(t), lambda t: init.eye_(t),
    lambda t: init.sparse_(t, 0.5)])
def test_functions_fill_parameters_in_place_without_recording_and_return_them(fill) -> None:
    p = Parameter(bricks.zeros(4, 6))
    array = p.numpy(force=True)
    assert fill(p) is p
    assert p.requires_grad and p.grad_fn is None and p.is_leaf
    assert p.numpy(force=True) is array and array.any()


def test_float32_parameters_stay_float32() -> None:
    p = Parameter(bricks.zeros(3, 4))
    init.trunc_normal_(p)
    assert p.dtype == bricks.float32


def test_kaiming_on_a_zero_element_tensor_warns_and_does_nothing() -> None:
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(bricks.empty(0, 3))


def test_deprecated_aliases_warn_and_fill() -> None:
    with pytest.warns(FutureWarning, match="nn.init.constant_"):
        t = init.constant(bricks.empty(2), 3.0)
    assert t.tolist() == [3.0, 3.0]


@pytest.mark.parametrize("initializer, text", [
    (init.Normal(), "Normal(std=0.01)"), (init.Normal(0.5, mean=1.0), "Normal(std=0.5, mean=1.0)"),
    (init.Uniform(), "Uniform(a=-0.07, b=0.07)"), (init.Uniform(0.3), "Uniform(a=-0.3, b=0.3)"),
    (init.Uniform(-1, 2), "Uniform(a=-1, b=2)"), (init.Constant(3), "Constant(value=3)"),
    (init.Zeros(), "Zeros()"), (init.Ones(), "Ones()"),
    (init.XavierUniform(), "XavierUniform(gain=1.0)"),
    (init.XavierNormal(2), "XavierNormal(gain=2)"),
    (init.KaimingUniform(), "KaimingUniform(a=0, mode='fan_in', nonlinearity='leaky_relu')"),
    (init.KaimingNormal(mode="fan_out", nonlinearity="relu"),
     "KaimingNormal(a=0, mode='fan_out', nonlinearity='relu')"),
    (init.Orthogonal(), "Orthogonal(gain=1)"),
    (init.TruncatedNormal(), "TruncatedNormal(std=0.02, mean=0.0, a=-2, b=2)")])
def test_initializer_repr(initializer: init.Initializer, text: str) -> None:
    assert repr(initializer) == text


def test_initializer_objects_apply_their_functions_formulas() -> None:
    bricks.manual_seed(5)
    _check_normal(_values(init.Normal(0.2, mean=1.0)(_big(200, 300))), 1.0, 0.2)
    _check_uniform(_values(init.Uniform(0.3)(_big(200, 300))), -0.3, 0.3)
    _check_uniform(_values(init.Uniform(scale=2.0)(_big(200, 300))), -2.0, 2.0)
    bound = math.sqrt(6 / 500)
    _check_uniform(_values(init.XavierUniform()(_big(200, 300))), -bound, bound)
    _check_normal(_values(init.KaimingNormal(nonlinearity="relu")(_big(200, 300))), 0.0,
                  math.sqrt(2 / 300))
    values = _values(init.TruncatedNormal(std=1.0, a=-1, b=1)(_big(200, 300)))
    assert _ks(values, stats.truncnorm(-1, 1).cdf) > P_MIN
    assert init.Constant(0.5)(bricks.empty(3)).tolist() == [0.5] * 3
    assert init.Ones()(bricks.empty(2)).tolist() == [1.0, 1.0]
    assert init.Zeros()(bricks.ones(2)).tolist() == [0.0, 0.0]
    w = init.Orthogonal(gain=2)(_big(4, 4)).numpy()
    np.testing.assert_allclose(w @ w.T, 4 * np.eye(4), atol=1e-10)


def test_custom_initializer_overrides_init_tensor_and_writes_through_data() -> None:
    seen = []

    class MyInit(init.Initializer):
        def init_tensor(self, name: str, data: bricks.Tensor) -> None:
            seen.append(name)
            init.uniform_(data, -10, 10)
            data *= data.abs() >= 5
            data[0, 0] = 42

    p = Parameter(bricks.zeros(8, 4))
    assert MyInit()(p, "dense.weight") is p
    values = p.numpy(force=True)
    assert seen == ["dense.weight"] and values[0, 0] == 42
    rest = values.ravel()[1:]
    assert ((rest == 0) | (np.abs(rest) >= 5)).all()
    assert p.grad_fn is None and p.requires_grad


def test_base_initializer_says_what_to_override() -> None:
    with pytest.raises(NotImplementedError, match="init_tensor"):
        init.Initializer()(bricks.empty(2))


def test_uniform_initializer_rejects_reversed_bounds() -> None:
    with pytest.raises(ValueError, match="a <= b"):
        init.Uniform(1.0, -1.0)


def test_init_has_every_function_of_torch_nn_init() -> None:
    public = [n for n in dir(tinit) if not n.startswith("_") and callable(getattr(tinit, n))
              and getattr(tinit, n).__module__ == "torch.nn.init"]
    missing = [n for n in public if not hasattr(init, n)]
    assert not missing
