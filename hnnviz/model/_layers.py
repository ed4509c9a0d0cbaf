"""The sparse simplex layer of a Homological Neural Network: each unit reads exactly its faces."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor, nn

__all__ = ['SimplexLayer']


class SimplexLayer(nn.Module):
    r"""One HNN layer: each simplex of order ``k`` reads its ``k + 1`` faces through its own weights.

    .. math:: y_{s,o} = b_{s,o} + \sum_{j=0}^{k} \sum_{c} W_{s,(j,c),o}\, x_{\mathrm{face}(s,j),\,c}

    Args:
        faces: ``(n_simplices, k + 1)`` integer array; row ``s`` lists the indices (in the previous layer) of
            the faces of simplex ``s``.
        in_channels: channels per face unit.
        out_channels: channels per simplex unit.

    Shape:
        - Input: ``(batch, n_faces, in_channels)``, in any memory layout
        - Output: ``(batch, n_simplices, out_channels)``, stored simplex-major: a permuted view of a contiguous
          ``(n_simplices, out_channels, batch)`` tensor. The next layer gathers its faces as whole rows of that
          tensor and contracts them with one batched matrix product, with no transposed copies; element-wise
          activations and the HNN's readouts keep the layout.

    Attributes:
        weight: ``(n_simplices, (k + 1) * in_channels, out_channels)``, uniform in ``±sqrt(6 / fan_in)``
            (He initialisation from the true fan-in ``(k + 1) * in_channels``).
        bias: ``(n_simplices, out_channels)``, uniform in ``±1 / sqrt(fan_in)``.
        faces: the face index buffer (moves with ``.to()`` and is saved in the state dict).

    Examples:
        >>> layer = SimplexLayer(np.array([[0, 1], [1, 2]]), in_channels=1, out_channels=4)
        >>> layer
        SimplexLayer(n_simplices=2, fan_in=2, in_channels=1, out_channels=4)
        >>> layer(torch.randn(8, 3, 1)).shape
        torch.Size([8, 2, 4])
    """

    def __init__(self, faces: np.ndarray | Tensor, in_channels: int, out_channels: int) -> None:
        super().__init__()
        faces = torch.as_tensor(np.asarray(faces), dtype=torch.long)
        if faces.ndim != 2 or faces.shape[1] < 1:
            raise ValueError(f"SimplexLayer needs a (n_simplices, k+1) face array; got shape {tuple(faces.shape)}.")
        self.register_buffer("faces", faces.contiguous())
        self.n_simplices, self.n_faces_each = faces.shape
        self.in_channels, self.out_channels = in_channels, out_channels
        self.fan_in = self.n_faces_each * in_channels
        self.weight = nn.Parameter(torch.empty(self.n_simplices, self.fan_in, out_channels))
        self.bias = nn.Parameter(torch.empty(self.n_simplices, out_channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """He-uniform weights and small uniform biases, both scaled by the true fan-in."""
        nn.init.uniform_(self.weight, -math.sqrt(6 / self.fan_in), math.sqrt(6 / self.fan_in))
        nn.init.uniform_(self.bias, -1 / math.sqrt(self.fan_in), 1 / math.sqrt(self.fan_in))

    def forward(self, x: Tensor) -> Tensor:
        batch = x.shape[0]
        units = x.permute(1, 2, 0).contiguous()  # (n_faces, in, batch): no copy for a previous layer's output
        gathered = units.index_select(0, self.faces.flatten())  # (n_simplices * (k+1), in, batch)
        gathered = gathered.view(self.n_simplices, self.fan_in, batch)  # (n_simplices, fan_in, batch)
        if self.out_channels == 1:  # multiply-and-sum: bit-identical on any thread count (bmm is not)
            out = (gathered * self.weight).sum(1, keepdim=True)  # (n_simplices, 1, batch)
        else:
            out = torch.bmm(self.weight.transpose(1, 2), gathered)  # (n_simplices, out, batch)
        return (out + self.bias.unsqueeze(-1)).permute(2, 0, 1)  # (batch, n_simplices, out), simplex-major

    def dense_weight(self) -> Tensor:
        """The equivalent dense ``(n_faces_total * in, n_simplices * out)`` weight (tests and teaching only)."""
        n_prev = int(self.faces.max()) + 1 if self.faces.numel() else 0
        dense = self.weight.new_zeros(n_prev, self.in_channels, self.n_simplices, self.out_channels)
        w = self.weight.reshape(self.n_simplices, self.n_faces_each, self.in_channels, self.out_channels)
        for j in range(self.n_faces_each):
            dense[self.faces[:, j], :, torch.arange(self.n_simplices), :] += w[:, j]
        return dense.reshape(n_prev * self.in_channels, self.n_simplices * self.out_channels)

    def extra_repr(self) -> str:
        return (
            f"n_simplices={self.n_simplices}, fan_in={self.n_faces_each}, "
            f"in_channels={self.in_channels}, out_channels={self.out_channels}"
        )


class _SimplexMajor(nn.Module):
    """An element-wise activation applied to a :class:`SimplexLayer`'s output in its memory order.

    The output keeps the layer's shape ``(batch, n_simplices, channels)`` and layout. On a permuted view, torch
    runs element-wise kernels row by row, and the rows' vectorised and scalar tails round differently with the
    thread count; on the contiguous ``(n_simplices, channels, batch)`` tensor they do not.
    """

    def __init__(self, activation: nn.Module) -> None:
        super().__init__()
        self.activation = activation

    def forward(self, h: Tensor) -> Tensor:
        return self.activation(h.permute(1, 2, 0)).permute(2, 0, 1)
