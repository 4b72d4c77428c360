"""Automatic differentiation: the graph's nodes, the backward engine, grad modes, gradcheck."""

from .engine import backward, grad, queue_callback
from .function import Function
from .grad_mode import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)
from .gradcheck import gradcheck
from .variable import Variable
from . import functional
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly

__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "gradcheck", "queue_callback", "Variable", "inference_mode",
           "is_inference_mode_enabled"]
__all__ += ["functional", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]
