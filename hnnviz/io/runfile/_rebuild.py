"""Rebuild a saved run's graph, complex and model, counting the complex before building it."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from torch import Tensor, nn

from ..._validation import check_similarity_matrix
from ...model import build_model
from ...network import CliqueComplex, FilteredGraph, clique_complex
from ...specs import IFNSpec, ModelSpec
from ._checks import _fail, _invalid, _is_int, _list_of
from ._format import _HEADER_BYTES, _HEADER_BYTES_PER_TENSOR, RUN_FILE, SIMILARITY_FILE
from ._safety import _check_file

__all__ = []


# The largest clique each filter makes; an MFCF's is its 'max_clique_size'.
_LARGEST_CLIQUE = {"tmfg": 4, "mst": 2}


_DTYPE_NAMES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def _vertex_group(p: int, largest: int) -> Callable[[Any], bool]:
    """A check for a strictly increasing list of vertices in ``[0, p)`` with at most ``largest`` members."""

    def check(value: Any) -> bool:
        return (
            _list_of(_is_int)(value)
            and len(value) <= largest
            and all(0 <= v < p for v in value)
            and all(a < b for a, b in pairwise(value))
        )

    return check


def _clique_growth(cliques: Sequence[Sequence[int]], parents: Sequence[int]) -> Counter[tuple[int, int]]:
    """How many cliques have ``n`` vertices of which ``s`` are in their parent clique, by ``(n, s)``."""
    return Counter(
        (len(clique), len(set(clique).intersection(cliques[parent])) if parent >= 0 else 0)
        for clique, parent in zip(cliques, parents, strict=True)
    )


def _simplex_count(growth: Mapping[tuple[int, int], int], n_vertices: int) -> int:
    """Simplices of the complex of the cliques counted by :func:`_clique_growth` (see :func:`_f_vector_bound`).

    Each clique of ``n`` vertices, ``s`` of them in its parent, adds ``2**n - 2**s`` non-empty vertex sets, of
    which ``n - s`` single vertices are already among the ``n_vertices``. One big-integer power per kind of
    clique: cheap even for a clique of a million vertices.
    """
    return n_vertices + sum(m * ((1 << n) - (1 << s) - (n - s)) for (n, s), m in growth.items())


def _f_vector_bound(growth: Mapping[tuple[int, int], int], n_vertices: int) -> tuple[int, ...]:
    """Simplices of each order of the complex of the cliques counted by :func:`_clique_growth`, not built.

    A clique of ``n`` vertices adds at most its ``comb(n, k + 1)`` order-``k`` faces less those of its
    intersection ``s`` with its parent, an earlier clique whose faces are counted already. For a clique tree
    (each clique meets the earlier ones only inside its parent, as every filter writes them) this is the
    exact f-vector; for any other parents it is an upper bound. Only call it once :func:`_simplex_count` is
    small: it takes ``n`` binomials per kind of clique.
    """
    orders = max([1, *(n for n, _ in growth)])
    higher = (
        sum(m * (math.comb(n, k + 1) - math.comb(s, k + 1)) for (n, s), m in growth.items()) for k in range(1, orders)
    )
    return (n_vertices, *higher)


def _check_complex_size(
    fields: Mapping[str, Any], ifn: IFNSpec, f_vector: tuple[int, ...], path: Path, max_simplices: int
) -> None:
    """Refuse cliques the filter cannot make, or whose complex is too large or cannot be the stored one.

    All of it is counted from the cliques and the clique tree, before gudhi builds anything: one clique of
    30 vertices would make a complex of a billion simplices.
    """
    cliques = fields["cliques"]
    largest = _LARGEST_CLIQUE.get(ifn.method, ifn.max_clique_size)
    sizes = [len(clique) for clique in cliques]
    biggest = max(sizes, default=0)
    if biggest > largest:
        raise _fail(
            path,
            f"clique {sizes.index(biggest)} has {biggest} vertices, but {ifn.label()} makes cliques of at most "
            f"{largest}",
        )
    if len(f_vector) != max(biggest, 1):
        raise _fail(
            path,
            f"the largest clique has {biggest} vertices but the f-vector counts simplices of {len(f_vector)} orders",
        )
    growth = _clique_growth(cliques, fields["clique_parent"])
    total = _simplex_count(growth, fields["n_nodes"])
    if total > max_simplices:
        raise _fail(
            path,
            f"the cliques (the largest of {biggest} vertices) make a complex of up to {total:,} simplices, "
            f"over the limit of {max_simplices:,} (RunLimits.max_simplices)",
        )
    bound = _f_vector_bound(growth, fields["n_nodes"])
    if any(n > most for n, most in zip(f_vector, bound, strict=True)):
        raise _fail(path, f"the f-vector {list(f_vector)} is larger than the cliques allow, {list(bound)}")


def _dtype_name(dtype: torch.dtype) -> str:
    return _DTYPE_NAMES.get(dtype, str(dtype))


def _listed(names: list[str], limit: int = 5) -> str:
    if not names:
        return "none"
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def _read_tensors(
    path: Path, expected: Mapping[str, tuple[tuple[int, ...], torch.dtype]], against: str, max_bytes: int
) -> dict[str, Tensor]:
    """The tensors of a safetensors file, after checking that names, shapes and dtypes are exactly ``expected``.

    ``against`` says in messages where the expectation comes from. The tensors must take at most
    ``max_bytes``, and the file no more than they take plus a header, before the file is opened.
    """
    need = sum(math.prod(shape) * dtype.itemsize for shape, dtype in expected.values())
    if need > max_bytes:
        raise _fail(
            path,
            f"the tensors expected from {against} take {need:,} bytes, over the limit of {max_bytes:,} bytes "
            "(RunLimits.max_tensor_bytes)",
        )
    header = _HEADER_BYTES + _HEADER_BYTES_PER_TENSOR * len(expected)
    _check_file(path, need + header, f"the tensors expected from {against} and a header")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as file:
            layout = {}
            for name in file.keys():  # noqa: SIM118 (a safetensors handle, not a dict)
                piece = file.get_slice(name)
                layout[name] = (tuple(piece.get_shape()), piece.get_dtype())
            _check_layout(path, layout, expected, against)
            return {name: file.get_tensor(name) for name in expected}
    except SafetensorError as err:
        raise _fail(path, f"not a valid safetensors file ({err})") from err
    except OSError as err:
        raise _fail(path, f"the file cannot be read ({err})") from err


def _check_layout(
    path: Path,
    layout: Mapping[str, tuple[tuple[int, ...], str]],
    expected: Mapping[str, tuple[tuple[int, ...], torch.dtype]],
    against: str,
) -> None:
    missing = sorted(expected.keys() - layout.keys())
    unexpected = sorted(layout.keys() - expected.keys())
    if missing or unexpected:
        raise _fail(
            path,
            f"tensor names do not match {against}: missing {_listed(missing)}; unexpected {_listed(unexpected)}",
        )
    wrong = [
        f"{name!r} is {layout[name][1]}{list(layout[name][0])}, expected {_dtype_name(dtype)}{list(shape)}"
        for name, (shape, dtype) in expected.items()
        if layout[name] != (shape, _dtype_name(dtype))
    ]
    if wrong:
        more = f"; and {len(wrong) - 3} more" if len(wrong) > 3 else ""
        raise _fail(path, f"tensors do not match {against}: {'; '.join(wrong[:3])}{more}")


def _read_similarity(path: Path, p: int, max_bytes: int) -> np.ndarray:
    expected = {"similarity": ((p, p), torch.float64)}
    tensor = _read_tensors(path, expected, f"the {p} features in {RUN_FILE}", max_bytes)["similarity"]
    with _invalid(path, "invalid similarity matrix"):
        return check_similarity_matrix(tensor.numpy(), owner=SIMILARITY_FILE)


def _weighted_graph(W: np.ndarray, cliques: tuple[tuple[int, ...], ...]) -> nx.Graph:
    """The union of the cliques, each edge weighted by ``W`` (nodes and edges added as the IFNs add them)."""
    graph = nx.Graph()
    graph.add_nodes_from(range(W.shape[0]))
    pairs = sorted({pair for clique in cliques for pair in combinations(clique, 2)})
    graph.add_weighted_edges_from((u, v, float(W[u, v])) for u, v in pairs)
    return graph


def _rebuild_graph(fields: dict[str, Any], W: np.ndarray, path: Path) -> FilteredGraph:
    graph = _weighted_graph(W, fields["cliques"])
    total = float(sum(w for _, _, w in graph.edges(data="weight")))
    if not math.isclose(total, fields["total_weight"], rel_tol=1e-9, abs_tol=1e-12):
        raise _fail(
            path,
            f"the graph's edge weights add up to {total}, not to the total weight {fields['total_weight']} in "
            f"{RUN_FILE}: the files do not belong together",
        )
    return FilteredGraph(graph=graph, **{**fields, "total_weight": total})


def _rebuild_complex(graph: FilteredGraph, info: dict[str, Any], path: Path) -> CliqueComplex:
    with _invalid(path, "cannot rebuild the clique complex"):
        cx = clique_complex(graph)
    if cx.f_vector != info["f_vector"] or cx.betti != info["betti"]:
        raise _fail(
            path,
            f"the complex rebuilt from the cliques has f-vector {list(cx.f_vector)} and Betti numbers "
            f"{list(cx.betti)}; the file stores {list(info['f_vector'])} and {list(info['betti'])}",
        )
    return cx


def _load_model(path: Path, spec: ModelSpec, cx: CliqueComplex, n_outputs: int, max_bytes: int) -> nn.Module:
    """Rebuild the model on the meta device, check the stored tensors against it, then build it and load them."""
    try:
        with _invalid(path, "cannot rebuild the model"), torch.device("meta"):  # shapes only, nothing allocated
            skeleton = build_model(spec, cx, n_outputs, seed=0)
    except (RuntimeError, TypeError, OverflowError) as err:  # sizes too large to describe, even on "meta"
        first_line = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise _fail(path.with_name(RUN_FILE), f"the model spec gives impossible tensor sizes ({first_line})") from err
    expected = {name: (tuple(t.shape), t.dtype) for name, t in skeleton.state_dict().items()}
    tensors = _read_tensors(path, expected, f"the model rebuilt from {RUN_FILE}", max_bytes)
    model = build_model(spec, cx, n_outputs, seed=0)
    for name, buffer in model.named_buffers():
        if not torch.equal(tensors[name], buffer):
            raise _fail(
                path, f"face-index buffer {name!r} differs from the wiring rebuilt from the cliques in {RUN_FILE}"
            )
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as err:
        raise _fail(path, f"the weights do not fit the rebuilt model ({err})") from err
    return model.eval()
