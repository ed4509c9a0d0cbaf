"""Two filtered networks on the same features: which edges they share and which each has alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..exceptions import InputValidationError

if TYPE_CHECKING:
    from ._network import FilteredNetwork

__all__ = ["EdgeComparison", "edge_comparison"]

Pair = tuple[str, str]


@dataclass(frozen=True)
class EdgeComparison:
    """The edges of two networks on the same features: shared, only in one, and their Jaccard index.

    Attributes
    ----------
    shared, only_a, only_b : tuple of (str, str)
        Edges as feature-name pairs (in feature order within a pair, pairs sorted by feature index).
    jaccard : float
        ``|shared| / |union|``: 1.0 for identical edge sets (also when both are empty), 0.0 for disjoint ones.
    """

    shared: tuple[Pair, ...]
    only_a: tuple[Pair, ...]
    only_b: tuple[Pair, ...]
    jaccard: float



def edge_comparison(a: FilteredNetwork, b: FilteredNetwork) -> EdgeComparison:
    """Which edges two networks on the same features share, and which only one of them has.

    Parameters
    ----------
    a, b : FilteredNetwork
        Networks on the same feature names, in the same order.

    Returns
    -------
    EdgeComparison

    Raises
    ------
    InputValidationError
        If the two networks do not have the same feature names.

    Examples
    --------
    >>> import numpy as np
    >>> from hnnviz import filter_network
    >>> rng = np.random.default_rng(0)
    >>> a, b = (filter_network(rng.normal(size=(40, 5)), list("abcde")) for _ in range(2))
    >>> c = edge_comparison(a, b)
    >>> len(c.shared), len(c.only_a), len(c.only_b), c.jaccard
    (8, 1, 1, 0.8)
    """
    shared, only_a, only_b = _edge_sets(a, b, owner="edge_comparison")
    names = a.feature_names

    def named(pairs: list[tuple[int, int]]) -> tuple[Pair, ...]:
        return tuple((names[u], names[v]) for u, v in pairs)

    return EdgeComparison(named(shared), named(only_a), named(only_b), _jaccard(shared, only_a, only_b))


def _jaccard(shared: list, only_a: list, only_b: list) -> float:
    """``|shared| / |union|``, 1.0 for two empty edge sets."""
    union = len(shared) + len(only_a) + len(only_b)
    return len(shared) / union if union else 1.0


def _edge_sets(
    a: FilteredNetwork, b: FilteredNetwork, *, owner: str
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]:
    """Shared, only-a and only-b edges as sorted vertex-index pairs."""
    if a.feature_names != b.feature_names:
        got = f"{len(b.feature_names)} features against {len(a.feature_names)}"
        if len(a.feature_names) == len(b.feature_names):
            i = next(i for i, (x, y) in enumerate(zip(a.feature_names, b.feature_names, strict=True)) if x != y)
            got = f"feature {i} named {b.feature_names[i]!r} against {a.feature_names[i]!r}"
        raise InputValidationError(
            f"The 'b' parameter of {owner} must be a network on the same features as 'a', in the same order. "
            f"Got {got} instead."
        )
    edges_a = {(u, v) for u, v in a.graph.edges.tolist()}
    edges_b = {(u, v) for u, v in b.graph.edges.tolist()}
    return sorted(edges_a & edges_b), sorted(edges_a - edges_b), sorted(edges_b - edges_a)
