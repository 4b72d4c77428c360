"""bricks.backends, bricks.accelerator, bricks.version and the float32 matmul precision:
the answers of torch's CPU build on a machine without a GPU, and flags that keep their values."""

from __future__ import annotations

import pytest
import torch

import bricks
import bricks.backends.cudnn as cudnn

no_gpu = pytest.mark.skipif(bricks.cuda.is_available(), reason="checks the answers without a GPU")


@pytest.fixture(autouse=True)
def _restore_flags():
    saved = (cudnn.enabled, cudnn.benchmark, cudnn.deterministic, cudnn.allow_tf32,
             bricks.get_float32_matmul_precision(), torch.get_float32_matmul_precision(),
             torch.backends.cudnn.benchmark)
    yield
    (cudnn.enabled, cudnn.benchmark, cudnn.deterministic, cudnn.allow_tf32) = saved[:4]
    bricks.set_float32_matmul_precision(saved[4])
    torch.set_float32_matmul_precision(saved[5])
    torch.backends.cudnn.benchmark = saved[6]


@no_gpu
def test_availability_answers_as_torch_cpu_build():
    for name in ("mps.is_available", "mps.is_built", "cudnn.is_available", "cudnn.version",
                 "cuda.is_built"):
        space, function = name.split(".")
        mine = getattr(getattr(bricks.backends, space), function)()
        theirs = getattr(getattr(torch.backends, space), function)()
        assert mine == theirs, name
    assert bricks.backends.mkldnn.is_available() is False  # bricks does not use oneDNN


def test_cudnn_flags_have_torch_defaults_and_keep_what_is_set():
    for name in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(bricks.backends.cudnn, name) == getattr(torch.backends.cudnn, name)
    bricks.backends.cudnn.benchmark = True
    torch.backends.cudnn.benchmark = True
    assert cudnn.benchmark is True and bricks.backends.cudnn is cudnn


def test_cudnn_flags_context_sets_and_restores():
    with cudnn.flags(enabled=False, benchmark=True, deterministic=True):
        assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (False, True, True)
    assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (True, False, False)


def test_matmul_precision_and_allow_tf32_are_one_setting_as_torch():
    assert bricks.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    for precision in ("medium", "high", "highest"):
        bricks.set_float32_matmul_precision(precision)
        torch.set_float32_matmul_precision(precision)
        assert bricks.get_float32_matmul_precision() == precision
        assert (bricks.backends.cuda.matmul.allow_tf32
                == torch.backends.cuda.matmul.allow_tf32)
    bricks.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cuda.matmul.allow_tf32 = True
    assert bricks.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "high"
    bricks.backends.cuda.matmul.allow_tf32 = False
    assert bricks.get_float32_matmul_precision() == "highest"


def test_matmul_precision_refuses_as_torch():
    for module in (bricks, torch):
        with pytest.raises(RuntimeError, match="expects a str, but got int"):
            module.set_float32_matmul_precision(3)
        with pytest.warns(UserWarning, match="foo is not one of 'highest', 'high', or 'medium'"):
            module.set_float32_matmul_precision("foo")
        assert module.get_float32_matmul_precision() == "highest"
    for matmul in (bricks.backends.cuda.matmul, torch.backends.cuda.matmul):
        with pytest.raises(RuntimeError, match="set_allow_tf32_cublas expects a bool, but got"):
            matmul.allow_tf32 = 1
        with pytest.raises(AttributeError, match="Unknown attribute foo"):
            matmul.foo = True
        assert matmul.allow_fp16_reduced_precision_reduction is True


@no_gpu
def test_accelerator_answers_as_torch_cpu_build():
    for name in ("is_available", "current_accelerator", "device_count"):
        assert getattr(bricks.accelerator, name)() == getattr(torch.accelerator, name)()
    for name in ("current_device_index", "synchronize", "current_stream", "empty_cache",
                 "memory_allocated"):
        for module in (bricks.accelerator, torch.accelerator):
            with pytest.raises(RuntimeError, match="Cannot access accelerator device when none"):
                getattr(module, name)()
    with pytest.warns(FutureWarning, match="Use `current_device_index` instead"), \
            pytest.raises(RuntimeError):
        bricks.accelerator.current_device_idx()
    with bricks.accelerator.device_index(None):
        pass


def test_quickstart_first_line_picks_the_device():
    device = (bricks.accelerator.current_accelerator().type
              if bricks.accelerator.is_available() else "cpu")
    assert device == ("cuda" if bricks.cuda.is_available() else "cpu")


@no_gpu
def test_version_as_torch_cpu_build():
    assert bricks.version.__version__ == bricks.__version__
    assert bricks.version.cuda is None is torch.version.cuda
    assert bricks.version.debug is False is torch.version.debug
    assert isinstance(bricks.version.git_version, str) and bricks.version.hip is None


@no_gpu
def test_streams_and_events_fail_where_torch_cpu_build_fails():
    with pytest.raises(RuntimeError, match="requires CUDA support"):
        bricks.cuda.Stream()
    with pytest.raises(RuntimeError, match="requires CUDA support"):
        torch.cuda.Stream()
    with pytest.raises(RuntimeError, match="requires CUDA support"):
        bricks.cuda.Event(enable_timing=True)
    for module in (bricks.cuda, torch.cuda):
        for name in ("current_stream", "default_stream"):
            with pytest.raises(AssertionError, match="not compiled with CUDA enabled"):
                getattr(module, name)()
        with module.stream(None):
            pass
    assert bricks.cuda.is_bf16_supported() is torch.cuda.is_bf16_supported() is False


@pytest.mark.cuda
@pytest.mark.skipif(not bricks.cuda.is_available(), reason="needs a CUDA GPU")
def test_accelerator_and_version_on_a_gpu():
    assert bricks.accelerator.is_available() and bricks.accelerator.device_count() >= 1
    assert bricks.accelerator.current_accelerator() == bricks.device("cuda")
    assert bricks.accelerator.current_device_index() == 0
    bricks.accelerator.synchronize()
    assert isinstance(bricks.version.cuda, str) and "." in bricks.version.cuda


@pytest.mark.cuda
@pytest.mark.skipif(not bricks.cuda.is_available(), reason="needs a CUDA GPU")
def test_ops_run_on_a_side_stream_and_events_time_them():
    side = bricks.cuda.Stream()
    start, end = bricks.cuda.Event(enable_timing=True), bricks.cuda.Event(enable_timing=True)
    x = bricks.ones(256, 256, device="cuda")
    bricks.cuda.current_stream().synchronize()
    with bricks.cuda.stream(side):
        assert bricks.cuda.current_stream() == side
        start.record()
        y = x @ x
        end.record()
    assert bricks.cuda.current_stream() == bricks.cuda.default_stream()
    bricks.cuda.current_stream().wait_stream(side)
    end.synchronize()
    assert end.query() and side.query() and start.elapsed_time(end) >= 0.0
    assert float(y.sum().item()) == 256.0 ** 3
    assert bricks.accelerator.current_stream() == bricks.cuda.current_stream()
