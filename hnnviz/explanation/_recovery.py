"""How well a network and an attribution recover planted groups: structure recall, precision and recall at k."""

from __future__ import annotations

from collections.abc import Sequence

from .._validation import check_int, short_repr
from ..exceptions import InputValidationError
from ..network import FilteredGraph, FilteredNetwork
from ._attribution import Attribution

__all__ = ['precision_at_k', 'recall_at_k', 'structure_recall']

Groups = Sequence[Sequence[str]]


def _group_sets(groups: Groups, owner: str) -> list[frozenset[str]]:
    """The planted groups as sets; each must be a collection of at least 2 feature names."""
    sets = []
    for group in groups:
        if isinstance(group, str) or len(set(group)) < 2:
            raise InputValidationError(
                f"The 'groups' parameter of {owner} must hold groups of at least 2 distinct feature names. "
                f"Got {group!r} instead."
            )
        sets.append(frozenset(str(name) for name in group))
    if not sets:
        raise InputValidationError(f"The 'groups' parameter of {owner} must hold at least one group. Got [] instead.")
    return sets


def structure_recall(
    groups: Groups, graph: FilteredGraph | FilteredNetwork, feature_names: Sequence[str] | None = None
) -> float:
    """Share of the planted groups that lie entirely inside one maximal clique of the filtered graph.

    Parameters
    ----------
    groups : sequence of sequence of str
        The planted groups (e.g. :attr:`PlantedData.groups`).
    graph : FilteredGraph or FilteredNetwork
        The filtered graph; a :class:`~hnnviz.network.FilteredNetwork` brings its own feature names.
    feature_names : sequence of str, optional
        The name of each vertex; required for a bare :class:`~hnnviz.network.FilteredGraph`.

    Returns
    -------
    float
        In ``[0, 1]``. A group counts when all its features are in one of ``graph.cliques``. For the chordal
        graphs built here (TMFG, MFCF, MST) that is the same as the group being a clique of the graph. A group
        larger than the largest clique (5 or more features in a TMFG) can never count.

    Raises
    ------
    InputValidationError
        If a group has fewer than 2 features, names a feature the graph does not have, or the names are
        missing or of the wrong length.

    Examples
    --------
    >>> import numpy as np
    >>> from hnnviz.network import tmfg
    >>> W = np.full((6, 6), 0.1)
    >>> W[:4, :4] = 0.9
    >>> g = tmfg(W)
    >>> g.cliques
    ((0, 1, 2, 3), (0, 1, 2, 4), (0, 1, 4, 5))
    >>> structure_recall([("a", "b", "c", "d"), ("d", "e")], g, "abcdef")
    0.5
    """
    owner = "structure_recall"
    if isinstance(graph, FilteredNetwork):
        feature_names, graph = graph.feature_names, graph.graph
    if feature_names is None or len(feature_names) != graph.n_nodes:
        got = None if feature_names is None else f"{len(feature_names)} names"
        raise InputValidationError(
            f"The 'feature_names' parameter of {owner} must name all {graph.n_nodes} vertices. Got {got} instead."
        )
    names = [str(n) for n in feature_names]
    cliques = [frozenset(names[v] for v in clique) for clique in graph.cliques]
    sets = _group_sets(groups, owner)
    unknown = sorted(set().union(*sets) - set(names))
    if unknown:
        raise InputValidationError(
            f"The 'groups' parameter of {owner} must name features of the graph. Got unknown {unknown} instead."
        )
    return sum(any(group <= clique for clique in cliques) for group in sets) / len(sets)


def _hit(features: Sequence[str], groups: list[frozenset[str]]) -> int | None:
    """The planted group a simplex hits, or None (see :func:`precision_at_k`). At most one group can be hit."""
    simplex = set(features)
    holding = [j for j, group in enumerate(groups) if len(simplex & group) >= 2]
    return holding[0] if len(holding) == 1 else None


def _top_hits(groups: Groups, attribution: Attribution | Groups, k: int, owner: str) -> list[int | None]:
    """The group each of the ``k`` top-ranked feature groups hits: an Attribution's simplices (orders >= 1)
    or the first ``k`` of a ranked sequence of feature groups."""
    sets = _group_sets(groups, owner)
    k = check_int(k, name="k", owner=owner, low=1)
    if isinstance(attribution, Attribution):
        top = [s.features for s in attribution.ranking(top=k)]
        if not top:
            raise InputValidationError(f"The 'attribution' parameter of {owner} must score simplices of order >= 1.")
    else:
        top = list(attribution)[:k]
        if not top or any(isinstance(features, str) for features in top):
            raise InputValidationError(
                f"The 'attribution' parameter of {owner} must be an Attribution or a non-empty ranked sequence of "
                f"feature groups. Got {short_repr(attribution)} instead."
            )
    return [_hit(features, sets) for features in top]


def precision_at_k(groups: Groups, attribution: Attribution | Groups, k: int) -> float:
    """Share of the ``k`` top-ranked simplices (orders >= 1), or feature groups, that hit a planted group.

    Parameters
    ----------
    groups : sequence of sequence of str
        The planted groups (disjoint, at least 2 features each).
    attribution : Attribution or sequence of sequence of str
        Ranked by :meth:`~hnnviz.explanation.Attribution.ranking` (mean ``|score|`` over its rows, orders >= 1), or
        feature groups already ranked, most important first (e.g. the units of a pruned MLP,
        :func:`hnnviz.model.rank_units`), each scored as a simplex of those features.
    k : int
        How many top simplices to score; if fewer simplices exist, all of them are scored.

    Returns
    -------
    float
        ``hits / min(k, number of simplices)``.

    Raises
    ------
    InputValidationError
        For a bad group, ``k < 1``, an attribution without simplices of order >= 1, or an empty ranking.

    Notes
    -----
    A simplex *hits* planted group ``G`` when it holds an interaction of ``G`` and of no other planted group:
    it shares at least 2 features with ``G`` and at most 1 with every other planted group. Other features are
    bystanders, whatever block they come from: a single feature cannot carry an interaction, and in a TMFG a
    small group's clique is often glued to a neighbouring block's feature. A simplex hits at most one group.

    Rejected alternatives: *no feature of another planted group* (counts ``{x01, x02, x06}`` as a miss but
    ``{x01, x02, x14}`` as a hit although both hold the pair plus one bystander, so it scores where the
    filtered graph happened to glue the pair's clique rather than the attribution); *exact match* (too
    strict: a pair's interaction sits inside triangles and tetrahedra too, and a group of 5 or more is never a
    simplex of a TMFG); *subset of a group* (rejects a whole small group plus a bystander); *any overlap*
    (counts a simplex holding only one feature of a group: a main effect, not an interaction).

    Examples
    --------
    >>> import numpy as np
    >>> from hnnviz.explanation import Attribution
    >>> attr = Attribution(
    ...     method="gxa",
    ...     simplices=((("a",), ("b",), ("c",)), (("a", "b"), ("a", "c"), ("b", "c"))),
    ...     scores=(np.zeros((1, 3)), np.array([[3.0, 2.0, 1.0]])),
    ...     prediction=np.zeros(1), baseline_prediction=0.0, target_class=None, completeness_gap=None, seconds=0.0,
    ... )
    >>> precision_at_k([("a", "b")], attr, 2), precision_at_k([("a", "c")], attr, 1)
    (0.5, 0.0)
    >>> precision_at_k([("a", "b")], [("a", "b"), ("a", "c")], 2)  # the same ranking, as feature groups
    0.5
    """
    hits = _top_hits(groups, attribution, k, "precision_at_k")
    return sum(h is not None for h in hits) / len(hits)


def recall_at_k(groups: Groups, attribution: Attribution | Groups, k: int) -> float:
    """Share of the planted groups hit by at least one of the ``k`` top-ranked simplices.

    A hit is defined as in :func:`precision_at_k`; parameters and errors are the same.

    Examples
    --------
    >>> import numpy as np
    >>> from hnnviz.explanation import Attribution
    >>> attr = Attribution(
    ...     method="gxa",
    ...     simplices=((("a",), ("b",), ("c",), ("d",)), (("a", "b"), ("c", "d"))),
    ...     scores=(np.zeros((1, 4)), np.array([[3.0, 2.0]])),
    ...     prediction=np.zeros(1), baseline_prediction=0.0, target_class=None, completeness_gap=None, seconds=0.0,
    ... )
    >>> recall_at_k([("a", "b"), ("c", "d")], attr, 1), recall_at_k([("a", "b"), ("c", "d")], attr, 2)
    (0.5, 1.0)
    """
    hits = _top_hits(groups, attribution, k, "recall_at_k")
    return len({h for h in hits if h is not None}) / len(_group_sets(groups, "recall_at_k"))
