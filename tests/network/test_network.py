"""Tests of hnnviz.network: the IFNSpec options object, build_graph and filter_network."""

from __future__ import annotations

import dataclasses
import json
from math import comb
from typing import Any

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

import hnnviz
from hnnviz.data import Dataset, load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.model import HNN, describe_hnn, train_run
from hnnviz.network import build_graph, filter_network, mfcf, mst, tmfg
from hnnviz.specs import IFNSpec, ModelSpec, TrainConfig

SPECS = [
    IFNSpec(),
    IFNSpec("spearman2", "mst"),
    IFNSpec("mi", "mfcf", max_clique_size=3, threshold=0.1),
    IFNSpec("abs", "mfcf", max_clique_size=5),
]


@pytest.fixture(scope="module")
def X() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(60, 8)) + np.random.default_rng(1).normal(size=(60, 1))


NAMES = tuple("abcdefgh")


# ---- IFNSpec -------------------------------------------------------------------------------------------


def test_defaults() -> None:
    spec = IFNSpec()
    assert (spec.similarity, spec.method, spec.max_clique_size, spec.threshold) == ("pearson2", "tmfg", 4, 0.0)
    assert spec == IFNSpec("pearson2", "tmfg", 4, 0.0) and hash(spec) == hash(IFNSpec())
    assert hnnviz.IFNSpec is IFNSpec


def test_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        IFNSpec().method = "mst"  # type: ignore[misc]


def test_numpy_scalars_become_plain_numbers() -> None:
    spec = IFNSpec(method="mfcf", max_clique_size=np.int64(3), threshold=np.float32(0.5))
    assert type(spec.max_clique_size) is int and type(spec.threshold) is float
    assert IFNSpec(threshold=1) == IFNSpec(threshold=1.0) and type(IFNSpec(threshold=1).threshold) is float


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"similarity": "cosine"}, "The 'similarity' parameter of IFNSpec must be one of 'pearson2', .* Got 'cosine'"),
        ({"method": "pmfg"}, "The 'method' parameter of IFNSpec must be one of 'tmfg', 'mfcf', 'mst'. Got 'pmfg'"),
        ({"max_clique_size": 1}, r"The 'max_clique_size' parameter of IFNSpec must be an int in \[2, inf\]. Got 1"),
        ({"max_clique_size": 3.0}, "The 'max_clique_size' parameter of IFNSpec must be an int. Got 3.0 instead."),
        ({"max_clique_size": True}, "The 'max_clique_size' parameter of IFNSpec must be an int. Got True instead."),
        ({"threshold": -0.1}, r"The 'threshold' parameter of IFNSpec must be a number in \[0, inf\]. Got -0.1"),
        ({"threshold": float("inf")}, "The 'threshold' parameter of IFNSpec must be a finite number. Got inf"),
        ({"threshold": float("nan")}, "The 'threshold' parameter of IFNSpec must be a finite number. Got nan"),
        ({"threshold": "0.1"}, "The 'threshold' parameter of IFNSpec must be a number. Got '0.1' instead."),
    ],
)
def test_validation_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InputValidationError, match=match):
        IFNSpec(**kwargs)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.label())
def test_dict_round_trip(spec: IFNSpec) -> None:
    d = spec.to_dict()
    assert list(d) == ["similarity", "method", "max_clique_size", "threshold"]
    assert IFNSpec.from_dict(d) == spec
    assert IFNSpec.from_dict(json.loads(json.dumps(d))) == spec


@pytest.mark.parametrize(
    ("d", "match"),
    [
        ({**IFNSpec().to_dict(), "alpha": 1}, r"exactly the keys .* Got missing \[\] and unknown \['alpha'\]"),
        ({"method": "mst"}, r"Got missing \['max_clique_size', 'similarity', 'threshold'\] and unknown \[\]"),
        ([("method", "mst")], "The 'd' parameter of IFNSpec.from_dict must be a mapping. Got list instead."),
        ({**IFNSpec().to_dict(), "method": "pmfg"}, "The 'method' parameter of IFNSpec must be one of"),
        ({**IFNSpec().to_dict(), "max_clique_size": "4"}, "The 'max_clique_size' parameter of IFNSpec must be an int"),
    ],
)
def test_from_dict_errors(d: Any, match: str) -> None:
    with pytest.raises(InputValidationError, match=match):
        IFNSpec.from_dict(d)


@pytest.mark.parametrize(
    ("spec", "label"),
    [
        (IFNSpec(), "TMFG on pearson2"),
        (IFNSpec("spearman2", "mst"), "MST on spearman2"),
        (IFNSpec("mi", "mfcf", max_clique_size=3, threshold=0.1), "MFCF (k=3, threshold 0.1) on mi"),
        (IFNSpec(method="mfcf"), "MFCF (k=4, threshold 0) on pearson2"),
        (IFNSpec(method="tmfg", max_clique_size=6), "TMFG on pearson2"),  # MFCF options do not apply
    ],
)
def test_label(spec: IFNSpec, label: str) -> None:
    assert spec.label() == label


# ---- build_graph and filter_network --------------------------------------------------------------------


def test_build_graph_runs_the_spec_s_filter(small_W: np.ndarray) -> None:
    assert build_graph(small_W) == tmfg(small_W)
    assert build_graph(small_W, IFNSpec(method="mst")) == mst(small_W)
    spec = IFNSpec(method="mfcf", max_clique_size=3, threshold=0.05)
    assert build_graph(small_W, spec) == mfcf(small_W, 3, threshold=0.05)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.label())
def test_filter_network_records_its_spec(X: np.ndarray, spec: IFNSpec) -> None:
    net = filter_network(X, NAMES, spec)
    assert net.ifn == spec and net.similarity_method == spec.similarity and net.graph.method == spec.method
    if spec.method == "mfcf":
        assert max(len(c) for c in net.graph.cliques) <= spec.max_clique_size
    summary = net.to_dict()
    assert summary["ifn"] == spec.to_dict() and summary["similarity"] == spec.similarity
    json.dumps(summary)


def test_filter_network_default_is_the_default_spec(X: np.ndarray) -> None:
    a, b = filter_network(X, NAMES), filter_network(X, NAMES, IFNSpec())
    assert a.ifn == IFNSpec() and a.graph == b.graph and np.array_equal(a.similarity, b.similarity)


@pytest.mark.parametrize("call", [filter_network, build_graph])
def test_rejects_anything_but_a_spec(X: np.ndarray, call: Any) -> None:
    first = X if call is filter_network else np.ones((5, 5))
    args = (first, NAMES) if call is filter_network else (first,)
    with pytest.raises(InputValidationError, match=f"The 'ifn' parameter of {call.__name__} must be an IFNSpec or"):
        call(*args, {"method": "mst"})


def test_train_run_network_is_the_filtered_training_rows() -> None:
    data = load_sample("diabetes")
    spec = IFNSpec("spearman2", "mfcf", max_clique_size=3, threshold=0.01)
    run = train_run(data, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=2), ifn=spec)
    expected = filter_network(data.X[run.result.split.train], data.feature_names, spec)
    assert run.ifn == spec and run.network.ifn == spec
    assert np.array_equal(run.network.similarity, expected.similarity)
    assert run.network.graph == expected.graph
    assert run.network.complex.f_vector == expected.complex.f_vector
    with pytest.raises(InputValidationError, match="The 'ifn' parameter of train_run must be an IFNSpec or None"):
        train_run(data, ifn="tmfg")


def test_neighbourhood_lists_every_edge_and_clique_of_a_feature():
    rng = np.random.default_rng(5)
    names = [f"f{i}" for i in range(9)]
    net = filter_network(rng.normal(size=(60, 9)), names)
    for v, name in enumerate(names):
        hood = net.neighbourhood(name)
        graph = net.graph.graph
        assert {n for n, _ in hood.neighbours} == {names[u] for u in graph[v]}
        assert all(w == pytest.approx(net.similarity[v, names.index(n)]) for n, w in hood.neighbours)
        weights = [w for _, w in hood.neighbours]
        assert weights == sorted(weights, reverse=True)
        assert hood.strength == pytest.approx(graph.degree(v, weight="weight"))
        assert hood.cliques == tuple(tuple(names[u] for u in c) for c in net.graph.cliques if v in c)


def test_neighbourhood_of_an_unknown_feature_suggests_close_names():
    net = filter_network(np.random.default_rng(0).normal(size=(30, 5)), ["alpha", "beta", "gamma", "delta", "eps"])
    with pytest.raises(InputValidationError, match=r"No feature 'alpah' in this network\. Did you mean 'alpha'\?"):
        net.neighbourhood("alpah")


def test_simplex_table_lists_every_simplex_and_filters_by_order_and_feature():
    rng = np.random.default_rng(2)
    names = [f"f{i}" for i in range(10)]
    net = filter_network(rng.normal(size=(50, 10)), names)
    table = net.simplex_table()
    assert table.groupby("order").size().tolist() == list(net.complex.f_vector)
    assert (table["size"] == table["order"] + 1).all()
    u, v = net.graph.edges[0]
    edge_row = table[table["simplex"] == f"{names[u]}, {names[v]}"]
    assert edge_row["mean_similarity"].item() == pytest.approx(net.similarity[u, v])
    both = net.simplex_table(orders=[2, 3], containing=[names[u], names[v]])
    expected = sum(int(np.isin([u, v], s).all()) for k in (2, 3) for s in net.complex.simplices[k])
    assert len(both) == expected > 0
    assert all({names[u], names[v]} <= set(s.split(", ")) for s in both["simplex"])
    with pytest.raises(InputValidationError, match=r"No feature 'nope' in this network"):
        net.simplex_table(containing=["nope"])


# ---- tiny networks and constant features ---------------------------------------------------------------


@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.label())
def test_one_to_three_features_give_a_network_and_an_hnn(X: np.ndarray, p: int, spec: IFNSpec) -> None:
    net = filter_network(X[:, :p], NAMES[:p], spec)
    cx = net.complex
    assert cx.n_vertices == p and cx.euler_characteristic == 1 and cx.betti == (1,) + (0,) * cx.max_order
    if spec.method == "mst" and p == 3:
        assert net.graph.n_edges == 2 and cx.f_vector == (3, 2)  # a path: the spanning tree of a triangle
    else:  # a TMFG, or an MFCF whose cliques may be larger than p: the complete graph
        assert net.graph.cliques == (tuple(range(p)),) and cx.f_vector == tuple(comb(p, k + 1) for k in range(p))
    arch = describe_hnn(cx, channels=2)
    model = HNN(cx, channels=2)
    assert arch.hnn_params == model.n_params and model(torch.zeros(4, p)).shape == (4, 1)


def test_constant_features_get_zero_similarity_and_are_reported(X: np.ndarray) -> None:
    data = X.copy()
    data[:, [2, 6]] = 3.0
    net = filter_network(data, NAMES)
    assert net.constant_features == ("c", "g") and net.to_dict()["constant_features"] == ["c", "g"]
    assert not net.similarity[[2, 6]].any() and not net.similarity[:, [2, 6]].any()
    varying = [0, 1, 3, 4, 5, 7]
    np.testing.assert_array_equal(
        net.similarity[np.ix_(varying, varying)], filter_network(X[:, varying], "abdefh").similarity
    )
    assert all(w == 0.0 for v in (2, 6) for _, w in net.neighbourhood(NAMES[v]).neighbours)
    assert net.complex.n_vertices == 8 and net.graph.n_edges == 3 * 8 - 6  # still a TMFG of every feature
    assert net.constant_note().startswith("2 features constant on the rows the network was built from")
    assert filter_network(X, NAMES).constant_features == () and filter_network(X, NAMES).constant_note() == ""


def test_a_feature_constant_on_the_training_rows_only_never_fails_a_run() -> None:
    """The issue: scikit-learn's digits, 61 varying pixels, two of them constant on the training rows of seed 0."""
    digits = load_digits()
    keep = np.ptp(digits.data, axis=0) > 0  # what prepare_dataset drops: always-constant pixels
    names = tuple(np.array(digits.feature_names)[keep])
    dataset = Dataset(X=digits.data[:, keep], feature_names=names, y=digits.target, target="digit",
                      task="classification", classes=tuple(range(10)), name="digits")  # fmt: skip
    run = train_run(dataset, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=2))
    train = run.result.split.train
    constant = tuple(n for n, varies in zip(names, np.ptp(dataset.X[train], axis=0) > 0, strict=True) if not varies)
    assert constant == run.network.constant_features == ("pixel_3_0", "pixel_7_0")
    assert np.ptp(dataset.X[:, [names.index(n) for n in constant]], axis=0).min() > 0  # they vary elsewhere
    assert run.network.complex.n_vertices == 61 and run.predict(dataset.X).shape == (1797, 10)
