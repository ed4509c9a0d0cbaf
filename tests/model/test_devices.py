"""Devices: the names, where training and explanations run, CPU/GPU agreement (CUDA tests skip without a GPU)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hnnviz.data import load_sample
from hnnviz.devices import describe_device, resolve_device
from hnnviz.exceptions import InputValidationError
from hnnviz.explanation import explain
from hnnviz.model import HNNRegressor, SimplexLayer, train_run
from hnnviz.specs import ModelSpec, TrainConfig, default_config
from hnnviz.workflows import compare_models

CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
FAST = {"epochs": 5}


@pytest.mark.parametrize("name", ["gpu", "cuda:x", "CPU", "", 0])
def test_unknown_device_names_are_refused(name):
    with pytest.raises(InputValidationError, match="'device' parameter of TrainConfig must be"):
        TrainConfig(defaults="mlp", device=name)


def test_auto_is_the_gpu_when_there_is_one_else_the_cpu():
    assert resolve_device("auto").type == ("cuda" if CUDA else "cpu")
    assert resolve_device("cpu") == torch.device("cpu")
    assert describe_device("cpu").startswith("CPU (")


@pytest.mark.skipif(CUDA, reason="checks the message on a machine without a GPU")
def test_asking_for_a_gpu_without_one_is_a_clear_error():
    with pytest.raises(InputValidationError, match="torch sees no GPU"):
        resolve_device("cuda")
    with pytest.raises(InputValidationError, match="torch sees no GPU"):
        train_run(load_sample("wine"), config=default_config("hnn", device="cuda", **FAST))


def test_a_trained_model_comes_back_on_the_cpu():
    run = train_run(load_sample("wine"), config=default_config("hnn", device="auto", **FAST))
    assert {p.device.type for p in run.model.parameters()} == {"cpu"}


# ---- on a GPU ----------------------------------------------------------------------------------------------


@needs_cuda
@pytest.mark.parametrize("channels", [1, 4])
def test_a_simplex_layer_computes_the_same_on_gpu_and_cpu(channels):
    faces = np.random.default_rng(0).integers(0, 50, size=(300, 3))
    layer = SimplexLayer(faces, in_channels=channels, out_channels=channels)
    x = torch.randn(64, 50, channels, requires_grad=True)
    out = layer(x)
    out.square().sum().backward()
    gpu_layer = SimplexLayer(faces, in_channels=channels, out_channels=channels).cuda()
    gpu_layer.load_state_dict(layer.state_dict())
    x_gpu = x.detach().cuda().requires_grad_()
    out_gpu = gpu_layer(x_gpu)
    out_gpu.square().sum().backward()
    torch.testing.assert_close(out_gpu.cpu(), out, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(x_gpu.grad.cpu(), x.grad, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(gpu_layer.weight.grad.cpu(), layer.weight.grad, rtol=1e-4, atol=1e-4)


@needs_cuda
@pytest.mark.parametrize("sample", ["wine", "diabetes"])
def test_training_and_explaining_on_gpu_agree_with_the_cpu(sample):
    ds = load_sample(sample)
    cpu = train_run(ds, ModelSpec(), config=default_config("hnn", device="cpu", **FAST))
    gpu = train_run(ds, ModelSpec(), config=default_config("hnn", device="cuda", **FAST))
    assert {p.device.type for p in gpu.model.parameters()} == {"cpu"}
    for name, value in cpu.model.state_dict().items():
        torch.testing.assert_close(gpu.model.state_dict()[name], value, rtol=1e-3, atol=1e-4)
    for metric, value in cpu.result.metrics["test"].items():
        assert gpu.result.metrics["test"][metric] == pytest.approx(value, rel=1e-3, abs=1e-3)
    rows = ds.X[cpu.result.split.test]
    for method in ("gxa", "ig", "ablation"):
        on_cpu, on_gpu = (
            explain(cpu, rows, method=method, device="cpu"),
            explain(cpu, rows, method=method, device="cuda"),
        )
        for a, b in zip(on_cpu.scores, on_gpu.scores, strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5 * max(1.0, np.abs(a).max()))


@needs_cuda
def test_compare_and_the_estimators_train_on_the_gpu():
    ds = load_sample("diabetes")
    comparison = compare_models(
        ds, seeds=(0,), models=("hnn", "mlp"), config=TrainConfig(defaults="mlp", device="cuda", **FAST)
    )
    assert [r.epochs_run for r in comparison.records] == [5, 5]
    model = HNNRegressor(device="cuda", **FAST).fit(ds.X, ds.y)
    assert model.predict(ds.X[:3]).shape == (3,)
