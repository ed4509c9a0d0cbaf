"""How well a network and a ranking of interactions recover planted groups: structure recall, precision and
recall at k."""

from __future__ import annotations

from collections.abc import Sequence

from .._validation import check_in, check_int, short_repr
from ..exceptions import InputValidationError
from ..network import FilteredGraph, FilteredNetwork
from ._attribution import Attribution
from ._pure import PureEffects

__all__ = ["HIT_RULES", "group_hit", "precision_at_k", "recall_at_k", "structure_recall"]

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


#: The rules by which a ranked feature group hits a planted group (see :func:`group_hit`).
HIT_RULES: tuple[str, ...] = ("subset", "overlap")

Ranking = Attribution | PureEffects | Groups


def group_hit(features: Sequence[str], groups: Groups, *, rule: str = "subset") -> int | None:
    """The index of the planted group a ranked feature group hits, or None.

    Parameters
    ----------
    features : sequence of str
        A simplex, a pure effect's subset or a unit's inputs.
    groups : sequence of sequence of str
        The planted groups (disjoint, at least 2 features each).
    rule : {"subset", "overlap"}, default "subset"
        ``"subset"``: the features are at least 2 and all lie inside one group, so the interaction they name
        is one the data holds. ``"overlap"``: they share at least 2 features with one group and at most 1
        with every other, bystanders allowed (the rule before pure effects; it credits a unit for carrying a
        group's interaction, not for naming it).

    Returns
    -------
    int or None
        A feature group hits at most one planted group under either rule.

    Raises
    ------
    InputValidationError
        For a bad group or rule.

    Examples
    --------
    >>> groups = [("x01", "x02"), ("x03", "x04", "x05")]
    >>> group_hit(("x04", "x05"), groups), group_hit(("x01", "x02", "x10", "x14"), groups)
    (1, None)
    >>> group_hit(("x01", "x02", "x10", "x14"), groups, rule="overlap")
    0
    """
    check_in(rule, HIT_RULES, name="rule", owner="group_hit")
    return _hit(features, _group_sets(groups, "group_hit"), rule)


def _hit(features: Sequence[str], groups: list[frozenset[str]], rule: str) -> int | None:
    simplex = frozenset(features)
    if rule == "subset":
        return next((j for j, group in enumerate(groups) if len(simplex) >= 2 and simplex <= group), None)
    holding = [j for j, group in enumerate(groups) if len(simplex & group) >= 2]
    return holding[0] if len(holding) == 1 else None


def _top_features(ranking: Ranking, k: int, owner: str) -> list[Sequence[str]]:
    """The features of the ``k`` top-ranked groups: an Attribution's simplices or a PureEffects' effects
    (orders >= 1), or the first ``k`` of a ranked sequence of feature groups."""
    if isinstance(ranking, Attribution | PureEffects):
        top = [s.features for s in ranking.ranking(min_order=1, top=k)]
        if not top:
            raise InputValidationError(f"The 'attribution' parameter of {owner} must score simplices of order >= 1.")
        return top
    top = list(ranking)[:k]
    if not top or any(isinstance(features, str) for features in top):
        raise InputValidationError(
            f"The 'attribution' parameter of {owner} must be an Attribution, a PureEffects or a non-empty ranked "
            f"sequence of feature groups. Got {short_repr(ranking)} instead."
        )
    return top


def _top_hits(groups: Groups, ranking: Ranking, k: int, rule: str, owner: str) -> list[int | None]:
    """The group each of the ``k`` top-ranked feature groups hits under ``rule``."""
    sets = _group_sets(groups, owner)
    k = check_int(k, name="k", owner=owner, low=1)
    check_in(rule, HIT_RULES, name="rule", owner=owner)
    return [_hit(features, sets, rule) for features in _top_features(ranking, k, owner)]


def precision_at_k(groups: Groups, attribution: Ranking, k: int, *, rule: str = "subset") -> float:
    """Share of the ``k`` top-ranked interactions (orders >= 1), or feature groups, that hit a planted group.

    Parameters
    ----------
    groups : sequence of sequence of str
        The planted groups (disjoint, at least 2 features each).
    attribution : Attribution, PureEffects or sequence of sequence of str
        Ranked by :meth:`~hnnviz.explanation.Attribution.ranking` (mean ``|score|`` over its rows, orders >= 1)
        or :meth:`~hnnviz.explanation.PureEffects.ranking` (importance, orders >= 1), or feature groups already
        ranked, most important first (e.g. the units of a pruned MLP, :func:`hnnviz.model.rank_units`).
    k : int
        How many top groups to score; if fewer exist, all of them are scored.
    rule : {"subset", "overlap"}, default "subset"
        When a feature group hits a planted group (:func:`group_hit`).

    Returns
    -------
    float
        ``hits / min(k, number of ranked groups)``.

    Raises
    ------
    InputValidationError
        For a bad group or rule, ``k < 1``, an attribution without simplices of order >= 1, or an empty ranking.

    Notes
    -----
    Under the default ``"subset"`` rule a reported interaction is a hit only when it lies inside one planted
    group: ``{x01, x02, x10, x14}`` does not hit ``{x01, x02}``, since it names an interaction of four features
    that the data does not hold. This is what a reader of the ranking takes it to say, and pure effects
    (:func:`purify`) are identifiable, so they can meet it. Unit attributions measure what a unit carries,
    which a tetrahedron may do for its planted pair (SPEC §9); ``rule="overlap"`` scores that weaker claim.
    A single feature never hits: it is a main effect, not an interaction. Rejected: *exact match* (a pair
    inside a planted triangle is a true interaction of the data, and a group of 5 or more is never a simplex
    of a TMFG).

    Examples
    --------
    >>> ranked = [("a", "b"), ("a", "b", "c"), ("c", "d")]
    >>> precision_at_k([("a", "b")], ranked, 2), precision_at_k([("a", "b")], ranked, 2, rule="overlap")
    (0.5, 1.0)
    """
    hits = _top_hits(groups, attribution, k, rule, "precision_at_k")
    return sum(h is not None for h in hits) / len(hits)


def recall_at_k(groups: Groups, attribution: Ranking, k: int, *, rule: str = "subset") -> float:
    """Share of the planted groups hit by at least one of the ``k`` top-ranked interactions.

    A hit is defined as in :func:`precision_at_k`; parameters and errors are the same.

    Examples
    --------
    >>> ranked = [("a", "b", "e"), ("c", "d")]
    >>> recall_at_k([("a", "b"), ("c", "d")], ranked, 1), recall_at_k([("a", "b"), ("c", "d")], ranked, 2)
    (0.0, 0.5)
    >>> recall_at_k([("a", "b"), ("c", "d")], ranked, 2, rule="overlap")
    1.0
    """
    hits = _top_hits(groups, attribution, k, rule, "recall_at_k")
    return len({h for h in hits if h is not None}) / len(_group_sets(groups, "recall_at_k"))
