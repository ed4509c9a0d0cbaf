"""AppTest of the Explain page's default answer: the trained HNN's pure effects (ranking, shapes, the network,
one row's split), the unit methods a choice away, and a plain verdict when no strong interaction was found."""

from __future__ import annotations

import re

import numpy as np
from test_app import app_state, array, assert_ok, open_tab, shown, traces, train, use_sample, visit

from app_pages.shared.state import Keys

JARGON = re.compile(r"logit|gxa|anova", re.IGNORECASE)


def pure_of(app, target: str | None = None):
    run = app_state(app).training.runs["HNN"]
    return run, app_state(app).pure[run.fingerprint, target]


def test_pure_effects_are_the_default_and_clicking_a_term_shows_its_shape(at):
    at.sidebar.toggle(key=Keys.LESSON).set_value(True).run()
    train(at)
    visit(at, "explain")
    assert_ok(at)
    assert at.selectbox(key=Keys.EXPLAIN_METHOD).value == "pure"
    assert not app_state(at).attributions  # no unit attribution is computed unless asked for
    _, pure = pure_of(at)
    ranked = pure.ranking(min_order=0, top=15)
    bars = traces(at, "pure-effects")
    drawn = sorted((int(r), float(x)) for t in bars for r, x in zip(array(t["y"]), array(t["x"]), strict=True))
    assert drawn == [(i, e.importance) for i, e in enumerate(ranked)]
    table = next(df.value for df in at.dataframe if "effect" in df.value.columns)
    assert table["effect"].tolist() == [" · ".join(e.features) for e in ranked]
    shares = pure.order_shares()
    assert any(c.startswith(f"Share of the model's variance by order: single features {shares[0]:.0%}")
               for c in shown(at.caption))  # fmt: skip
    lessons = shown(at.info)
    assert any("only this pair of features explains together, beyond what each explains alone" in t for t in lessons)
    assert not any(JARGON.search(t) for t in lessons)

    assert at.selectbox(key=Keys.PURE_TERM).value == ranked[0].features  # the top effect's shape first
    pair = next(e for e in pure.ranking() if e.order == 1)
    at.session_state[Keys.PURE_TERM] = pair.features  # what a click on its bar (or its edge) sets
    at.run()
    assert_ok(at)
    (surface,) = traces(at, "surface")
    assert np.array_equal(array(surface["z"]), pair.values.T)
    single = next(e for e in pure.ranking(min_order=0) if e.order == 0)
    at.selectbox(key=Keys.PURE_TERM).set_value(single.features).run()
    (curve,) = traces(at, "curve")
    assert np.array_equal(array(curve["y"]), single.values) and traces(at, "density")

    open_tab(at, Keys.EXPLAIN_TAB, "On the network")
    assert_ok(at)
    assert traces(at, "edge-colorbar") and traces(at, "curve")  # coloured by importance, the shape below


def test_one_row_ends_at_its_prediction_and_the_unit_methods_still_work(at):
    train(at)
    visit(at, "explain")
    at.segmented_control(key=Keys.EXPLAIN_SCOPE).set_value("one row").run()
    open_tab(at, Keys.EXPLAIN_TAB, "One row")
    assert_ok(at)
    run, pure = pure_of(at)
    row = at.selectbox(key=Keys.EXPLAIN_ROW).value
    x = app_state(at).training.dataset.X[[row]]
    (waterfall,) = traces(at, "pure-split")
    values = array(waterfall["x"])
    assert values[0] == pure.intercept and values[-1] == run.predict(x)[0]  # exactly the prediction
    assert abs(values[:-1].sum() - values[-1]) < 1e-9

    at.selectbox(key=Keys.EXPLAIN_METHOD).select("gxa").run()  # what a unit carries
    assert_ok(at)
    assert (run.fingerprint, "gxa", row) in app_state(at).attributions and traces(at, "order-split")
    open_tab(at, Keys.EXPLAIN_TAB, "Ranking")
    assert traces(at, "simplices") and at.selectbox(key=Keys.INSPECT_SIMPLEX).value


def test_additive_data_says_no_strong_interaction_was_found(at):
    use_sample(at, "planted_additive")
    train(at, epochs=20)
    visit(at, "explain")
    assert_ok(at)
    _, pure = pure_of(at)
    assert pure.interaction_share <= 0.05
    assert any(t.startswith("No strong interaction found") for t in shown(at.success))


def test_classification_explains_the_chosen_class(at):
    use_sample(at, "wine")
    train(at)
    visit(at, "explain")
    assert_ok(at)
    assert at.selectbox(key=Keys.PURE_CLASS).value == "2"  # the last class by default
    at.selectbox(key=Keys.PURE_CLASS).select("0").run()
    assert_ok(at)
    run, pure = pure_of(at, "0")
    X = app_state(at).training.dataset.X[:5]
    assert pure.target == "0"
    np.testing.assert_allclose(pure.predict(X), run.logits(X)[:, 0], rtol=1e-5, atol=1e-5)

