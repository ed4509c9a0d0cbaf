"""Where models run: the CPU, or a CUDA GPU when asked for (``"cuda"``) or available (``"auto"``).

Training (:attr:`hnnviz.specs.TrainConfig.device`), explanations and the inspector take a device name. A model
lives on the CPU between steps (runs, files, the app); a step that runs elsewhere moves a copy there and brings
the results back, so everything downstream stays on the CPU.
"""

from __future__ import annotations

import torch

from .exceptions import InputValidationError
from .specs import check_device

__all__ = ["AUTO_GPU_PARAMS", "describe_device", "resolve_device"]

AUTO_GPU_PARAMS = 10_000
"""Parameters from which ``"auto"`` trains a model on the GPU. Smaller ones are launch-bound there: on an H200, a
whole fit of the default HNN took 0.5-0.7x the time of one CPU thread on diabetes, wine and the planted sets
(2,000-6,200 parameters) and 1.3x less on breast_cancer (7,900); a step at p=1,000 (34,000 parameters) was
3x faster than 16 CPU threads, at p=10,000 with 4 channels 99x (``benchmarks/results_gpu.md``)."""


def resolve_device(device: str = "auto", *, n_params: int | None = None) -> torch.device:
    """The torch device a name stands for: ``"auto"`` is the first GPU when torch sees one (and the model, if
    ``n_params`` is given, has at least :data:`AUTO_GPU_PARAMS` parameters), else the CPU.

    Raises
    ------
    InputValidationError
        If the name is not ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``, or names a GPU that torch does
        not see (no CUDA build, no driver, or fewer GPUs).

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    >>> resolve_device("auto") == (torch.device("cuda", 0) if torch.cuda.is_available() else torch.device("cpu"))
    True
    >>> resolve_device("auto", n_params=500)  # a small model is faster on one CPU thread than on a GPU
    device(type='cpu')
    """
    check_device(device, owner="resolve_device")
    if device == "auto":
        worth_it = n_params is None or n_params >= AUTO_GPU_PARAMS
        return torch.device("cuda", 0) if torch.cuda.is_available() and worth_it else torch.device("cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda":
        index = 0 if resolved.index is None else resolved.index
        if not torch.cuda.is_available():
            raise InputValidationError(
                f"Device {device!r} asked for, but torch sees no GPU (torch {torch.__version__}); use 'cpu' or 'auto'."
            )
        if index >= torch.cuda.device_count():
            raise InputValidationError(
                f"Device {device!r} asked for, but torch sees {torch.cuda.device_count()} GPU(s) (cuda:0 up)."
            )
        resolved = torch.device("cuda", index)
    return resolved


def describe_device(device: str = "auto") -> str:
    """A short plain description of where ``device`` runs, e.g. ``"CPU (2 threads)"`` or ``"GPU 0: NVIDIA H200"``.

    Examples
    --------
    >>> describe_device("cpu").startswith("CPU")
    True
    """
    resolved = resolve_device(device)
    if resolved.type == "cuda":
        return f"GPU {resolved.index}: {torch.cuda.get_device_name(resolved)}"
    return f"CPU ({torch.get_num_threads()} thread{'s' if torch.get_num_threads() != 1 else ''})"
