"""Tests of hnnviz.model: sparse layers against a dense masked reference, wiring, parameter counts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from similarities import random_similarity

from hnnviz.exceptions import InputValidationError
from hnnviz.model import HNN, MLP, SimplexLayer, describe_hnn, torch_seed
from hnnviz.network import clique_complex, mfcf, tmfg


@pytest.fixture(scope="module")
def tmfg_complex():
    return clique_complex(tmfg(random_similarity(15, seed=4)))


def dense_masked_reference(layer: SimplexLayer, x: torch.Tensor) -> torch.Tensor:
    """The same layer as one dense matrix product: weights scattered into a mask of the face incidences."""
    batch, n_prev, c_in = x.shape
    out = x.reshape(batch, n_prev * c_in) @ layer.dense_weight()
    return out.reshape(batch, layer.n_simplices, layer.out_channels) + layer.bias


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize(("c_in", "c_out"), [(1, 1), (1, 4), (3, 1), (4, 4)])
def test_layer_equals_dense_masked_layer(tmfg_complex, order: int, c_in: int, c_out: int) -> None:
    with torch_seed(order):  # float64, so that 1e-6 measures the wiring and not float32 rounding
        layer = SimplexLayer(tmfg_complex.faces[order], c_in, c_out).double()
        x = torch.randn(7, tmfg_complex.f_vector[order - 1], c_in, dtype=torch.float64, requires_grad=True)
    sparse = layer(x)
    sparse_grads = torch.autograd.grad(sparse.square().sum(), [x, layer.weight, layer.bias])
    dense = dense_masked_reference(layer, x)
    dense_grads = torch.autograd.grad(dense.square().sum(), [x, layer.weight, layer.bias])
    torch.testing.assert_close(sparse, dense, atol=1e-6, rtol=1e-6)
    for ours, reference in zip(sparse_grads, dense_grads, strict=True):
        torch.testing.assert_close(ours, reference, atol=1e-6, rtol=1e-6)


def per_simplex_oracle(layer: SimplexLayer, x: torch.Tensor) -> torch.Tensor:
    """The layer's formula, one simplex and one face at a time: y_s = b_s + sum_j x[face(s, j)] @ W_s[j]."""
    weight = layer.weight.reshape(layer.n_simplices, layer.n_faces_each, layer.in_channels, layer.out_channels)
    out = [
        layer.bias[s] + sum(x[:, face] @ weight[s, j] for j, face in enumerate(faces))
        for s, faces in enumerate(layer.faces.tolist())
    ]
    return torch.stack(out, dim=1)  # (batch, n_simplices, out)


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("channels", [1, 2, 4])
def test_layer_equals_a_per_simplex_oracle_in_any_input_layout(tmfg_complex, order: int, channels: int) -> None:
    c_in = 1 if order == 1 else channels
    with torch_seed(order):
        layer = SimplexLayer(tmfg_complex.faces[order], c_in, channels).double()
        x = torch.randn(6, tmfg_complex.f_vector[order - 1], c_in, dtype=torch.float64)
    simplex_major = x.permute(1, 2, 0).contiguous().permute(2, 0, 1)  # how a previous layer's output is stored
    expected = per_simplex_oracle(layer, x)
    for given in (x, simplex_major):
        out = layer(given)
        assert out.shape == (6, layer.n_simplices, channels)
        assert out.permute(1, 2, 0).is_contiguous()  # stored simplex-major, shaped (batch, n_simplices, out)
        torch.testing.assert_close(out, expected, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("channels", [1, 4])
def test_hidden_and_propagate_keep_the_batch_major_shapes(tmfg_complex, channels: int) -> None:
    with torch_seed(0):
        model = HNN(tmfg_complex, channels=channels).double()
        x = torch.randn(5, 15, dtype=torch.float64)
    hidden = model.hidden(x)
    widths = [1] + [channels] * 3
    assert [tuple(h.shape) for h in hidden] == [(5, n, c) for n, c in zip(tmfg_complex.f_vector, widths, strict=True)]
    # an edit may hand back a plain (batch-major, contiguous) tensor: the layers read it the same way
    edited = model.propagate(hidden[:1], lambda order, h: h.contiguous())
    for ours, reference in zip(edited, hidden, strict=True):
        torch.testing.assert_close(ours, reference, atol=1e-12, rtol=1e-12)
    expected = model.head(torch.cat([r(h.flatten(1)) for r, h in zip(model.readouts, hidden, strict=True)], 1))
    torch.testing.assert_close(model(x), expected, atol=1e-12, rtol=1e-12)


def test_dense_weight_is_zero_outside_the_faces(tmfg_complex) -> None:
    layer = SimplexLayer(tmfg_complex.faces[2], 1, 1)
    dense = layer.dense_weight()  # (n_edges, n_triangles)
    assert dense.shape == (tmfg_complex.f_vector[1], tmfg_complex.f_vector[2])
    assert ((dense != 0).sum(0) == 3).all()  # every triangle reads exactly its 3 edges
    for t, faces in enumerate(tmfg_complex.faces[2].tolist()):
        assert set(torch.nonzero(dense[:, t]).flatten().tolist()) == set(faces)


@pytest.mark.parametrize(("c_in", "c_out"), [(1, 1), (2, 3)])
def test_layer_gradcheck_float64(tmfg_complex, c_in: int, c_out: int) -> None:
    layer = SimplexLayer(tmfg_complex.faces[3], c_in, c_out).double()
    x = torch.randn(3, tmfg_complex.f_vector[2], c_in, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(layer, (x,))


def test_every_unit_reads_exactly_its_faces(tmfg_complex) -> None:
    model = HNN(tmfg_complex, channels=2)
    for order, layer in enumerate(model.layers, start=1):
        assert layer.faces.shape == (tmfg_complex.f_vector[order], order + 1)
        assert layer.fan_in == (order + 1) * (1 if order == 1 else 2)
        torch.testing.assert_close(layer.faces, torch.as_tensor(tmfg_complex.faces[order]))


@pytest.mark.parametrize("p", [8, 20, 50])
def test_tmfg_parameter_counts_match_the_paper(p: int) -> None:
    model = HNN(clique_complex(tmfg(random_similarity(p, seed=p))))
    assert model.sparse_weights == 19 * p - 48
    assert model.n_params == 34 * p - 73  # 199, 607, 1627 at p = 8, 20, 50 (SPEC §5)


def test_hnn_is_orders_of_magnitude_smaller_than_the_same_width_mlp() -> None:
    model = HNN(clique_complex(tmfg(random_similarity(100, seed=1))))
    dense = MLP(model.widths)
    assert dense.n_params / model.n_params > 40


def test_max_order_truncates_the_network(tmfg_complex) -> None:
    for top in range(4):
        model = HNN(tmfg_complex, max_order=top)
        assert len(model.layers) == top and len(model.readouts) == top + 1
        assert model.orders == tmfg_complex.f_vector[: top + 1]
        assert model(torch.randn(2, 15)).shape == (2, 1)


def test_mixed_clique_sizes_and_classification_heads() -> None:
    cx = clique_complex(mfcf(random_similarity(20, seed=2), 5))
    model = HNN(cx, n_outputs=3, channels=2)
    assert len(model.layers) == cx.max_order == 4
    assert model(torch.randn(4, 20)).shape == (4, 3)


def test_same_seed_same_weights_and_predictions(tmfg_complex) -> None:
    x = torch.randn(5, 15)
    with torch_seed(11):
        a = HNN(tmfg_complex, channels=3)
    with torch_seed(11):
        b = HNN(tmfg_complex, channels=3)
    with torch_seed(12):
        c = HNN(tmfg_complex, channels=3)
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(pa, pb), name
    assert torch.equal(a(x), b(x)) and not torch.equal(a(x), c(x))


def test_initialisation_uses_the_true_fan_in(tmfg_complex) -> None:
    layer = SimplexLayer(tmfg_complex.faces[3], 4, 8)
    bound = (6 / (4 * 4)) ** 0.5
    assert layer.weight.abs().max() <= bound and layer.weight.abs().max() > 0.9 * bound


def test_repr_shows_sizes(tmfg_complex) -> None:
    text = str(HNN(tmfg_complex, channels=2))
    assert "SimplexLayer(n_simplices=39, fan_in=2, in_channels=1, out_channels=2)" in text
    assert "SimplexLayer(n_simplices=12, fan_in=4, in_channels=2, out_channels=2)" in text


def test_layers_move_their_buffers_and_save_them(tmfg_complex) -> None:
    model = HNN(tmfg_complex).double()
    assert "layers.0.faces" in model.state_dict() and model.layers[0].faces.dtype == torch.long
    assert model(torch.randn(2, 15, dtype=torch.float64)).dtype == torch.float64


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"channels": 0}, r"'channels' parameter of HNN must be an int in \[1"),
        ({"activation": "swish"}, "'activation' parameter of HNN must be one of"),
        ({"n_outputs": 0}, r"'n_outputs' parameter of HNN must be an int in \[1"),
    ],
)
def test_hnn_rejects_bad_parameters(tmfg_complex, kwargs: dict, match: str) -> None:
    with pytest.raises(InputValidationError, match=match):
        HNN(tmfg_complex, **kwargs)


def test_layer_rejects_a_flat_face_array() -> None:
    with pytest.raises(ValueError, match=r"SimplexLayer needs a \(n_simplices, k\+1\) face array"):
        SimplexLayer(np.arange(4), 1, 1)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"channels": 4}, {"channels": 3, "max_order": 2}, {"readout_width": 2, "n_outputs": 3}, {"max_order": 0}],
)
@pytest.mark.parametrize("graph", ["tmfg", "mfcf"])
def test_describe_hnn_counts_what_the_models_hold(graph: str, kwargs: dict) -> None:
    W = random_similarity(12, seed=3)
    cx = clique_complex(tmfg(W) if graph == "tmfg" else mfcf(W, 5))
    arch = describe_hnn(cx, **kwargs)
    hnn = HNN(cx, **kwargs)
    mlp = MLP(hnn.widths, kwargs.get("n_outputs", 1), readout_width=kwargs.get("readout_width", 1))
    assert arch.hnn_params == hnn.n_params and arch.mlp_params == mlp.n_params
    assert [layer.units for layer in arch.layers] == list(hnn.orders)
    assert [layer.hnn_params for layer in arch.layers[1:]] == [
        sum(p.numel() for p in m.parameters()) for m in hnn.layers
    ]
    assert [layer.fan_in for layer in arch.layers] == [0, *range(2, len(hnn.orders) + 1)]  # order k reads k + 1 faces
    assert arch.ratio == mlp.n_params / hnn.n_params


def test_describe_hnn_of_a_tmfg_matches_the_paper_without_building_the_dense_model() -> None:
    p = 2000  # a same-width MLP would hold about 15 p^2 = 60 million weights
    arch = describe_hnn(clique_complex(tmfg(random_similarity(p, seed=1))))
    assert arch.hnn_params == 34 * p - 73
    assert [layer.name for layer in arch.layers] == ["inputs", "edges", "triangles", "tetrahedra"]
    assert arch.ratio > 400
