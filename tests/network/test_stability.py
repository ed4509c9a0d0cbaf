"""Tests of hnnviz.network: bootstrap frequencies of the edges and cliques of a filtered graph."""

from __future__ import annotations

import numpy as np
import pytest

from hnnviz.data import make_planted
from hnnviz.exceptions import InputValidationError
from hnnviz.network import Stability, bootstrap_stability
from hnnviz.specs import IFNSpec


def names(p: int) -> list[str]:
    return [f"f{i}" for i in range(p)]


@pytest.fixture(scope="module")
def chain() -> np.ndarray:
    """Random-walk columns: corr(x_i, x_j) = sqrt(i / j) for i < j, so the similarities are well separated and
    every resample orders the gains of every filtering method the same way."""
    return np.cumsum(np.random.default_rng(0).normal(size=(300, 8)), axis=1)


@pytest.fixture(scope="module")
def noise() -> np.ndarray:
    return np.random.default_rng(1).normal(size=(200, 20))


@pytest.mark.parametrize("method", ["tmfg", "mfcf", "mst"])
def test_well_separated_structure_is_perfectly_stable(chain: np.ndarray, method: str) -> None:
    s = bootstrap_stability(chain, names(8), n_boot=30, ifn=IFNSpec(method=method))
    assert s.reference_edge_frequencies().tolist() == [1.0] * len(s.reference_edges)
    assert s.reference_clique_frequencies().tolist() == [1.0] * len(s.reference_cliques)
    assert set(s.edge_frequency) == set(s.reference_edges) and s.score == 1.0


def test_frequencies_and_names(noise: np.ndarray) -> None:
    s = bootstrap_stability(noise, names(20), n_boot=25, seed=3)
    assert s.n_boot == 25 and s.feature_names == tuple(names(20))
    assert len(s.reference_edges) == 3 * 20 - 6 and len(s.reference_cliques) == 20 - 3
    for table in (s.edge_frequency, s.clique_frequency):
        values = np.array(list(table.values()))
        assert ((values > 0) & (values <= 1)).all()
        assert np.allclose(values * 25, np.round(values * 25))  # counts over 25 resamples
    position = {name: i for i, name in enumerate(s.feature_names)}
    for edge in [*s.edge_frequency, *s.reference_edges]:
        assert position[edge[0]] < position[edge[1]]
    # every resample gives a TMFG: 3p - 6 edges and p - 3 cliques each
    assert sum(s.edge_frequency.values()) == pytest.approx(54)
    assert sum(s.clique_frequency.values()) == pytest.approx(17)


def test_structure_is_stable_and_noise_is_not(noise: np.ndarray) -> None:
    planted = make_planted(n_rows=500, n_features=12, interactions=(4, 4), within_group_correlation=0.64, seed=0)
    s = bootstrap_stability(planted.dataset.X, planted.dataset.feature_names, n_boot=30)
    within_blocks = [e for e in s.reference_edges if any(set(e) <= set(b) for b in planted.blocks)]
    assert len(within_blocks) == 3 * 6  # three 4-blocks (two planted, one distractor), each a 4-clique
    assert min(s.edge_frequency[e] for e in within_blocks) > 0.9
    assert bootstrap_stability(noise, names(20), n_boot=30).score < 0.6  # measured 0.40 (chance is 54/190)


def test_reproducible_with_seed(noise: np.ndarray) -> None:
    X = noise[:, :10]
    a = bootstrap_stability(X, names(10), n_boot=10, seed=5)
    assert a == bootstrap_stability(X, names(10), n_boot=10, seed=5)
    assert a == bootstrap_stability(X, names(10), n_boot=10, seed=np.random.default_rng(5))
    assert a.edge_frequency != bootstrap_stability(X, names(10), n_boot=10, seed=6).edge_frequency
    state = np.random.get_state()[1].copy()
    bootstrap_stability(X, names(10), n_boot=3, seed=None)
    assert (np.random.get_state()[1] == state).all()


def test_mfcf_options_are_used(chain: np.ndarray) -> None:
    s = bootstrap_stability(chain, names(8), n_boot=5, ifn=IFNSpec(method="mfcf", max_clique_size=3))
    assert {len(c) for c in s.reference_cliques} == {3} and {len(c) for c in s.clique_frequency} == {3}


def test_progress_is_reported_after_each_resample(chain: np.ndarray) -> None:
    seen: list[tuple[int, int]] = []
    bootstrap_stability(chain, names(8), n_boot=7, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(b, 7) for b in range(1, 8)]


def test_score_and_to_dict() -> None:
    s = Stability(("a", "b", "c"), {("a", "b"): 0.5}, {("a", "b"): 0.5}, (("a", "b"), ("b", "c")), (("a", "b"),), 2)
    assert s.score == 0.25
    assert s.reference_edge_map() == {("a", "b"): 0.5, ("b", "c"): 0.0}  # an edge never seen again counts 0
    assert s.to_dict() == {
        "score": 0.25,
        "n_boot": 2,
        "constant_counts": {},
        "edges": [{"features": ["a", "b"], "frequency": 0.5}, {"features": ["b", "c"], "frequency": 0.0}],
        "cliques": [{"features": ["a", "b"], "frequency": 0.5}],
    }


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_boot": 0}, r"The 'n_boot' parameter of bootstrap_stability must be an int in \[1, inf\]"),
        ({"n_boot": 2.0}, "The 'n_boot' parameter of bootstrap_stability must be an int"),
        ({"ifn": "tmfg"}, "The 'ifn' parameter of bootstrap_stability must be an IFNSpec or None. Got str instead."),
        ({"seed": -1}, "The 'seed' parameter of bootstrap_stability must be an int >= 0, a numpy Generator or None"),
        ({"seed": 1.5}, "The 'seed' parameter of bootstrap_stability must be an int >= 0"),
    ],
)
def test_bad_arguments(chain: np.ndarray, kwargs: dict, match: str) -> None:
    with pytest.raises(InputValidationError, match=match):
        bootstrap_stability(chain, names(8), **kwargs)


def test_bad_data(chain: np.ndarray) -> None:
    with pytest.raises(InputValidationError, match=r"'feature_names' parameter .* must name all 8 columns of X"):
        bootstrap_stability(chain, names(7))
    with pytest.raises(InputValidationError, match="'X' parameter of bootstrap_stability must be 2-D"):
        bootstrap_stability(chain[:, 0], names(1))


def test_three_columns_give_the_complete_graph_every_time(chain: np.ndarray) -> None:
    s = bootstrap_stability(chain[:, :3], names(3), n_boot=5)
    assert s.reference_cliques == (("f0", "f1", "f2"),) and s.clique_frequency == {("f0", "f1", "f2"): 1.0}


def test_a_column_constant_in_some_resamples_is_counted_not_fatal(chain: np.ndarray) -> None:
    """A resample without the one row where f4 is non-zero has f4 constant: zero similarity, and counted."""
    rare = np.column_stack([chain[:5, :4], [0, 0, 0, 0, 1]])
    s = bootstrap_stability(rare, names(5), n_boot=50, seed=2)
    rng = np.random.default_rng(2)  # the same draws, to count the resamples that miss row 4
    expected = sum(4 not in rng.integers(0, 5, size=5) for _ in range(50))
    assert s.constant_counts == {"f4": expected} and 0 < expected < 50
    assert s.to_dict()["constant_counts"] == {"f4": expected}
    assert sum(s.edge_frequency.values()) == pytest.approx(3 * 5 - 6)  # every resample still gives a TMFG
    assert bootstrap_stability(chain, names(8), n_boot=5).constant_counts == {}
