"""Homological Neural Network (HNN) layers and models, and the fair dense baseline.

An HNN has one unit (or ``channels`` units) per simplex of a clique complex. A unit of order ``k`` (a
simplex of ``k + 1`` features) reads exactly its ``k + 1`` faces of order ``k - 1``; order-0 units are the
input features. Each order also feeds a linear readout; the readouts are concatenated and mixed by a final
linear layer into the prediction (one output for regression, one logit per class for classification).

Layers gather their faces and contract them with per-simplex weights: memory and time are linear in the
number of simplices, with no dense mask or dense weight matrix anywhere. Activations keep the shape
``(batch, n_units, channels)`` but are stored simplex-major (see :class:`SimplexLayer`).

References
----------
.. [1] Lin, Briola, Wang & Aste, "Compositional Sparsity as an Inductive Bias for Neural Architecture
   Design", arXiv:2605.14764, 2026.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import torch
from torch import Tensor, nn

from .._messages import ORDER_NAMES, order_name
from .._validation import check_in, check_int
from ..network import CliqueComplex
from ._layers import SimplexLayer, _SimplexMajor

__all__ = ['HNN', 'MLP', 'Architecture', 'LayerSummary', 'describe_hnn', 'hnn_widths']


#: The torch module of each activation name of :data:`hnnviz.specs.ACTIVATIONS`.
_ACTIVATION_MODULES: dict[str, type[nn.Module]] = {"gelu": nn.GELU, "relu": nn.ReLU, "tanh": nn.Tanh}


class _ReadoutNet(nn.Module):
    """Shared tail of HNN and MLP: a linear readout per hidden order, concatenated, mixed by a final linear.

    Readouts are linear on purpose: the reference's scalar ReLU readouts died in most fits and silenced
    whole orders.
    """

    def __init__(self, widths: Sequence[int], n_outputs: int, readout_width: int, activation: str) -> None:
        super().__init__()
        check_in(activation, _ACTIVATION_MODULES, name="activation", owner=type(self).__name__)
        self.widths = tuple(int(w) for w in widths)
        # one activation module per hidden order, so hooks (explanations, ablations) can address an order
        self.activations = nn.ModuleList(_ACTIVATION_MODULES[activation]() for _ in widths[1:])
        self.readouts = nn.ModuleList(nn.Linear(w, readout_width) for w in widths)
        self.head = nn.Linear(readout_width * len(widths), n_outputs)

    def readout_parts(self, hidden: Sequence[Tensor]) -> list[Tensor]:
        """Each order's readout output, ``(batch, readout_width)``, from :meth:`hidden`'s activations."""
        return [self._read_out(readout, h) for readout, h in zip(self.readouts, hidden, strict=True)]

    def _read_out(self, readout: nn.Linear, h: Tensor) -> Tensor:
        """One order's readout ``(batch, readout_width)`` of its activations ``h`` (``(batch, ...)``)."""
        return readout(h.flatten(1))

    def output(self, hidden: Sequence[Tensor]) -> Tensor:
        """The prediction ``(batch, n_outputs)`` from every order's activations."""
        return self.head(torch.cat(self.readout_parts(hidden), dim=1))

    def forward(self, x: Tensor) -> Tensor:
        return self.output(self.hidden(x))

    def hidden(self, x: Tensor) -> list[Tensor]:
        """Activations of every order (layer), the input first."""
        return self.propagate([self.input_units(x)])

    def propagate(self, hidden: Sequence[Tensor], edit: Callable[[int, Tensor], Tensor] | None = None) -> list[Tensor]:
        """Complete the activations ``[h_0, ..., h_j]`` of the lowest orders by running the layers above them.

        ``edit(order, h)``, if given, may replace each newly computed order's activations before the next
        layer reads them. Replacing units and propagating is how an explanation ablates or patches an order.
        """
        out = list(hidden)
        start = len(out) - 1
        for order, (layer, activation) in enumerate(
            zip(self.layers[start:], self.activations[start:], strict=True), start=start + 1
        ):
            h = activation(layer(out[-1]))
            out.append(h if edit is None else edit(order, h))
        return out

    @property
    def n_params(self) -> int:
        """Number of trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)


class HNN(_ReadoutNet):
    """Homological Neural Network wired by a clique complex.

    Args:
        complex: the clique complex (vertices = input features).
        n_outputs: 1 for regression, the number of classes for classification.
        channels: hidden channels ``h`` per simplex (the reference uses 1).
        max_order: highest simplex order used (default: all orders of the complex); 1 stops at edges.
        activation: ``"gelu"`` (default), ``"relu"`` or ``"tanh"``.
        readout_width: outputs of each order's linear readout (the reference uses 1).

    Shape:
        - Input: ``(batch, n_features)``
        - Output: ``(batch, n_outputs)``

    Examples:
        >>> from hnnviz.network import clique_complex
        >>> model = HNN(clique_complex([(0, 1, 2, 3), (1, 2, 3, 4)]), n_outputs=1)
        >>> model.orders, model.n_params, model(torch.randn(5, 5)).shape
        ((5, 9, 7, 2), 97, torch.Size([5, 1]))
    """

    def __init__(
        self,
        complex: CliqueComplex,
        n_outputs: int = 1,
        *,
        channels: int = 1,
        max_order: int | None = None,
        activation: str = "gelu",
        readout_width: int = 1,
    ) -> None:
        channels = check_int(channels, name="channels", owner="HNN", low=1)
        widths = hnn_widths(complex, channels=channels, max_order=max_order, owner="HNN")
        top = len(widths) - 1
        super().__init__(widths, check_int(n_outputs, name="n_outputs", owner="HNN", low=1), readout_width, activation)
        self.channels = channels
        self.orders = tuple(len(complex.simplices[k]) for k in range(top + 1))
        self.activations = nn.ModuleList(_SimplexMajor(activation) for activation in self.activations)
        self.layers = nn.ModuleList(
            SimplexLayer(complex.faces[k], 1 if k == 1 else channels, channels) for k in range(1, top + 1)
        )

    def _read_out(self, readout: nn.Linear, h: Tensor) -> Tensor:
        """One order's readout, computed on the simplex-major layout of the layers' outputs.

        The product reads the units as one ``(n_units * channels, batch)`` matrix (a view of a layer's output,
        no copy), so its gradient reaches the units in their own layout and the activation's backward pass
        runs on two tensors of the same layout (with mixed layouts it is several times slower).
        """
        units = h.permute(1, 2, 0).reshape(-1, h.shape[0])  # (n_units * channels, batch)
        return torch.addmm(readout.bias.unsqueeze(1), readout.weight, units).t()  # (batch, readout_width)

    def input_units(self, x: Tensor) -> Tensor:
        """Order-0 units: each feature as a one-channel unit, ``(batch, p, 1)``.

        :meth:`hidden` then gives ``[x (batch, p, 1), edges (batch, n_1, h), triangles (batch, n_2, h), ...]``.
        """
        return x.unsqueeze(-1)

    @property
    def sparse_weights(self) -> int:
        """Number of weights in the simplex layers (biases excluded)."""
        return sum(layer.weight.numel() for layer in self.layers)


class MLP(_ReadoutNet):
    """Dense baseline with the same layer widths, activation and per-layer linear readouts as an HNN.

    Only the wiring differs: every unit reads every unit of the previous layer. There is no bottleneck
    unit (the reference's single-ReLU output died in about half of its fits).

    Args:
        widths: layer widths, starting with the number of input features (e.g. ``HNN.widths``).
        n_outputs, activation, readout_width: as for :class:`HNN`.

    Examples:
        >>> MLP([5, 9, 7, 2], n_outputs=1)(torch.randn(3, 5)).shape
        torch.Size([3, 1])
    """

    def __init__(
        self, widths: Sequence[int], n_outputs: int = 1, *, activation: str = "gelu", readout_width: int = 1
    ) -> None:
        super().__init__(widths, n_outputs, readout_width, activation)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in pairwise(widths))

    def input_units(self, x: Tensor) -> Tensor:
        """The input layer as it is, ``(batch, p)``; every layer's activation is ``(batch, width)``."""
        return x


@dataclass(frozen=True)
class LayerSummary:
    """One order of an HNN, beside the dense layer of the same width.

    Attributes
    ----------
    order : int
        0 for the inputs, 1 for edges, 2 for triangles ...
    name : str
        ``"inputs"``, ``"edges"``, ``"triangles"``, ``"tetrahedra"`` or ``"order k"``.
    units : int
        Simplices of this order (input features for order 0).
    channels : int
        Channels per unit (1 for the inputs).
    fan_in : int
        Faces each unit reads: ``order + 1`` (0 for the inputs, which read nothing).
    hnn_params : int
        Weights and biases of the HNN layer that computes this order.
    mlp_params : int
        Weights and biases of the dense layer that computes a layer of the same width from the previous one.
    """

    order: int
    name: str
    units: int
    channels: int
    fan_in: int
    hnn_params: int
    mlp_params: int


@dataclass(frozen=True)
class Architecture:
    """The HNN a clique complex defines, layer by layer, and its size against the same-width dense MLP.

    Attributes
    ----------
    layers : tuple of LayerSummary
        One per order, the inputs first.
    readout_params : int
        The per-order linear readouts and the final head (the same in both models).
    hnn_params, mlp_params : int
        Every trainable parameter of each model.
    """

    layers: tuple[LayerSummary, ...]
    readout_params: int
    hnn_params: int
    mlp_params: int

    @property
    def ratio(self) -> float:
        """How many times more parameters the dense MLP has."""
        return self.mlp_params / self.hnn_params


def describe_hnn(
    complex: CliqueComplex,
    n_outputs: int = 1,
    *,
    channels: int = 1,
    max_order: int | None = None,
    readout_width: int = 1,
) -> Architecture:
    """Count, order by order, the units and parameters of ``HNN(complex, ...)`` and of its same-width MLP.

    Counted from the complex, without building either model (the dense MLP of a large complex would not fit
    in memory). Arguments as for :class:`HNN`.

    Examples
    --------
    >>> from hnnviz.network import clique_complex
    >>> cx = clique_complex([(0, 1, 2, 3), (1, 2, 3, 4)])
    >>> arch = describe_hnn(cx)
    >>> [(layer.name, layer.units, layer.fan_in) for layer in arch.layers]
    [('inputs', 5, 0), ('edges', 9, 2), ('triangles', 7, 3), ('tetrahedra', 2, 4)]
    >>> arch.hnn_params == HNN(cx).n_params, arch.mlp_params == MLP(HNN(cx).widths).n_params
    (True, True)
    """
    channels = check_int(channels, name="channels", owner="describe_hnn", low=1)
    widths = hnn_widths(complex, channels=channels, max_order=max_order, owner="describe_hnn")
    top = len(widths) - 1
    units = [complex.n_vertices] + [len(complex.simplices[k]) for k in range(1, top + 1)]
    layers = [LayerSummary(0, ORDER_NAMES[0], units[0], 1, 0, 0, 0)]
    for k in range(1, top + 1):
        in_channels = 1 if k == 1 else channels
        hnn = units[k] * (k + 1) * in_channels * channels + units[k] * channels
        mlp = widths[k - 1] * widths[k] + widths[k]
        name = order_name(k)
        layers.append(LayerSummary(k, name, units[k], channels, k + 1, hnn, mlp))
    readouts = sum(w * readout_width + readout_width for w in widths)
    readouts += readout_width * len(widths) * n_outputs + n_outputs
    return Architecture(
        layers=tuple(layers),
        readout_params=readouts,
        hnn_params=readouts + sum(layer.hnn_params for layer in layers),
        mlp_params=readouts + sum(layer.mlp_params for layer in layers),
    )


def hnn_widths(
    complex: CliqueComplex, *, channels: int = 1, max_order: int | None = None, owner: str = "hnn_widths"
) -> tuple[int, ...]:
    """The layer widths of the HNN wired on ``complex``: the inputs, then ``channels`` per simplex of each order up
    to ``max_order`` (default: the complex's highest). The dense MLP of the same spec has these widths too.

    Examples
    --------
    >>> from hnnviz.network import clique_complex
    >>> hnn_widths(clique_complex([(0, 1, 2, 3), (1, 2, 3, 4)]), channels=2)
    (5, 18, 14, 4)
    """
    top = complex.max_order if max_order is None else check_int(max_order, name="max_order", owner=owner, low=0)
    top = min(top, complex.max_order)
    return (complex.n_vertices, *(len(complex.simplices[k]) * channels for k in range(1, top + 1)))
