"""Train: the HNN wired on the current network beside the same-width dense MLP, live, then the baselines.

Training runs in a background job (:mod:`hnnviz.workflows`): the page only draws its progress, so it can be
paused, resumed or stopped between epochs, and every other page stays usable meanwhile.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st
import torch

from app_pages.shared import common, state
from app_pages.shared.common import PageContext
from app_pages.shared.state import AppState, Keys
from hnnviz._messages import ORDER_NAMES
from hnnviz.data import Dataset
from hnnviz.devices import describe_device
from hnnviz.exceptions import HNNVizError
from hnnviz.model import describe_hnn
from hnnviz.network import FilteredNetwork
from hnnviz.specs import (
    ACTIVATIONS,
    BASE_MODELS,
    DEFAULT_TRAINING,
    DEVICES,
    OPTIONAL_MODELS,
    ModelSpec,
    TrainConfig,
    default_config,
)
from hnnviz.viz import (
    confusion_figure,
    leaderboard_rows,
    loss_curves_figure,
    model_scores_figure,
    prediction_figure,
    results_rows,
)
from hnnviz.workflows import ComparisonJob, Job, TrainingJob

DEFAULTS = DEFAULT_TRAINING["hnn"]  # epochs, patience and batch size are the same for both kinds
LESSON = (
    "**Training** adjusts the weights so that predictions match the target on the training rows; the "
    "validation rows decide when to stop (when their loss no longer improves), and the test rows, never seen "
    "during training, give the final score. The HNN and a dense network with the *same layer widths* (the MLP) "
    "learn side by side, so you can compare accuracy against size: the HNN connects each unit only to its faces."
)
MODEL_LABELS = {"hnn": "HNN", "mlp": "MLP"}  # the MLP is dense, with the HNN's layer widths
MAX_DENSE_PARAMS = 20_000_000  # a larger dense MLP would take minutes per epoch and gigabytes here
EXTRA_MODELS = ("hnn-order1", "hnn-order2", *OPTIONAL_MODELS)


def settings(app: AppState) -> tuple[ModelSpec, dict[str, TrainConfig]]:
    """The model, and each kind's training protocol (its measured default with the settings chosen here); lesson
    mode keeps only the essential settings.

    Raises
    ------
    HNNVizError
        For a setting hnnviz refuses (e.g. a learning rate of 0).
    """
    cells = st.columns(4)
    channels = cells[0].number_input(
        "Channels per simplex", 1, 32, 4, key=Keys.TRAIN_CHANNELS, persist_state="session",
        help="Hidden units per simplex. 1 is the paper's HNN; a few more learn richer interactions.",
    )  # fmt: skip
    epochs = cells[1].number_input(
        "Epochs (at most)", 1, 2000, DEFAULTS.epochs, key=Keys.TRAIN_EPOCHS, persist_state="session",
        help=f"Training stops earlier once the validation loss has not improved for {DEFAULTS.patience} epochs.",
    )  # fmt: skip
    seed = cells[2].number_input(
        "Seed", 0, 1_000_000, app.selection.seed, key=Keys.TRAIN_SEED,
        help="Seeds the split, the initial weights and the batch order: the same seed gives the same models.",
    )  # fmt: skip
    app.selection = replace(app.selection, seed=int(seed))
    max_order, activation, batch, device = None, "gelu", DEFAULTS.batch_size, "auto"
    lrs = {kind: config.lr for kind, config in DEFAULT_TRAINING.items()}
    if common.advanced():
        orders = [None, 1, 2, 3]
        max_order = common.choose(
            cells[3], "Highest order", orders, None, Keys.TRAIN_MAX_ORDER, persist_state="session",
            format_func=lambda k: "every order" if k is None else f"up to {ORDER_NAMES[k]}",
        )  # fmt: skip
        more = st.columns(4)
        activation = more[0].selectbox(
            "Activation", list(ACTIVATIONS), key=Keys.TRAIN_ACTIVATION, persist_state="session"
        )
        for box, kind, key in ((more[1], "hnn", Keys.TRAIN_LR), (more[2], "mlp", Keys.TRAIN_MLP_LR)):
            lrs[kind] = box.number_input(
                f"{MODEL_LABELS[kind]} learning rate", 0.0, 1.0, lrs[kind], step=1e-3, format="%.4f", key=key,
                persist_state="session", help="Each model's default was measured on the bundled data sets "
                "(benchmarks/results_defaults.md): a sparse net learns best with a larger rate.",
            )  # fmt: skip
        batch = more[3].number_input(
            "Batch size", 1, 4096, DEFAULTS.batch_size, key=Keys.TRAIN_BATCH, persist_state="session"
        )
        if torch.cuda.is_available():
            device = device_choice()
    st.caption(f"Training runs on the {describe_device(device)}.")
    spec = ModelSpec("hnn", channels=int(channels), max_order=max_order, activation=activation)
    configs = {
        kind: default_config(
            kind, epochs=int(epochs), batch_size=int(batch), lr=float(lrs[kind]), seed=int(seed), device=device
        )
        for kind in MODEL_LABELS
    }
    return spec, configs


def device_choice() -> str:
    """Where to train, on a machine with a GPU."""
    device = st.segmented_control(
        "Train on", list(DEVICES), default="auto", required=True, key=Keys.TRAIN_DEVICE, persist_state="session",
        format_func=lambda d: f"{d}: {describe_device(d)}",
    )  # fmt: skip
    return device or "auto"


def model_specs(net: FilteredNetwork, spec: ModelSpec) -> dict[str, ModelSpec]:
    """The HNN, and its same-width dense MLP unless that would be too large to train here."""
    specs = {name: replace(spec, kind=kind) for kind, name in MODEL_LABELS.items()}
    dense = describe_hnn(net.complex, channels=spec.channels, max_order=spec.max_order).mlp_params
    if dense > MAX_DENSE_PARAMS:
        st.info(
            f"The same-width dense MLP would have {dense:,} parameters, too many to train here: only the HNN is "
            "trained. That gap in size is the point of the HNN.", icon=":material/info:",
        )  # fmt: skip
        del specs[MODEL_LABELS["mlp"]]
    return specs


def announce(
    app: AppState, ds: Dataset, net: FilteredNetwork, specs: dict[str, ModelSpec], config: TrainConfig
) -> None:
    """Say how long training may take when it is slow, measured on a pilot step."""
    n_train = max(1, round(ds.n_rows * (1 - config.val_size - config.test_size)))
    per_epoch = sum(state.epoch_estimate(app, net, spec, n_train, config.batch_size) for spec in specs.values())
    if per_epoch * config.epochs > common.SLOW_SECONDS * 3:
        st.warning(
            f"Training may take up to {common.duration(per_epoch * config.epochs)}: {common.duration(per_epoch)} "
            f"per epoch for {' and '.join(specs)}, at most {config.epochs} epochs (early stopping usually ends "
            "sooner). A sample of the rows trains faster.", icon=":material/schedule:",
        )  # fmt: skip


def draw_training(job: Job) -> None:
    assert isinstance(job, TrainingJob)
    common.job_controls(job, "train")
    doing = f"training the {job.current}" if job.current else job.state
    if job.holding:
        doing = f"paused between epochs ({job.current})"
    st.progress(1.0 if job.finished else job.progress, text=f"{job.epochs_done} epochs done; {doing}")
    frame = None if job.finished else job.config.epochs  # a fixed frame while the curves grow
    st.plotly_chart(loss_curves_figure(job.history, max_epochs=frame), key="train.loss_curves")


def results(job: TrainingJob, ds: Dataset) -> None:
    if job.error:
        common.error(job.error)
    if not job.runs:
        return
    st.subheader("Results on the test rows")
    st.caption(f"Trained on {common.plain(job.dataset.summary())}; network: {job.ifn.label()}; seed {job.config.seed}.")
    note = next(iter(job.runs.values())).network.constant_note()
    if note:
        st.info(common.plain(note), icon=":material/info:")
    st.dataframe(results_rows(job.runs), hide_index=True, width="stretch", key="train.results")
    hnn, mlp = (job.runs.get(name) for name in MODEL_LABELS.values())
    if hnn and mlp:
        st.metric("Dense MLP / HNN parameters", f"{mlp.model.n_params / hnn.model.n_params:.1f}x")
    columns = st.columns(len(job.runs))
    for column, (name, run) in zip(columns, job.runs.items(), strict=True):
        out = run.predictions(ds)
        if run.task == "regression":
            fig = prediction_figure(out.y_true, out.predicted, name=name)
        else:
            fig = confusion_figure(out.y_true, out.predicted, run.classes, name=name)
        column.plotly_chart(fig, key=f"train.predictions.{run.spec.kind}")
    health(job)


def health(job: TrainingJob) -> None:
    """Units constant on every training row (dead), per order, and readouts that carry nothing."""
    common.lesson("A **dead** unit outputs the same value on every row: it carries no information.")
    rows = []
    for name, run in job.runs.items():
        dead = set(run.result.dead_readouts)
        for order, share in run.result.inactive.items():
            label = ORDER_NAMES[order] if run.spec.kind == "hnn" and order < len(ORDER_NAMES) else f"layer {order}"
            rows.append({"model": name, "layer": label, "dead units": f"{share:.0%}", "readout dead": order in dead})
    with st.expander("Dead units and readouts", expanded=any(r["readout dead"] for r in rows)):
        st.dataframe(rows, hide_index=True, width="stretch")


def baselines(ctx: PageContext, ds: Dataset, spec: ModelSpec, config: dict[str, TrainConfig]) -> None:
    app = ctx.app
    st.subheader("Against the baselines, over several seeds")
    st.caption(
        "Every model is fitted once per seed on the same split (linear and gradient boosting use the validation "
        "rows for fitting, since they need none to stop); the HNN's widths and training are those above."
    )
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    seeds = left.number_input("Seeds", 1, 10, 3, key=Keys.COMPARE_SEEDS, persist_state="session")
    models = right.multiselect(
        "Models", [*BASE_MODELS, *EXTRA_MODELS], default=list(BASE_MODELS), key=Keys.COMPARE_MODELS,
        persist_state="session", help="hnn-order1 stops at edges, hnn-order2 at triangles: what each order adds.",
    )  # fmt: skip
    busy = app.comparison is not None and not app.comparison.finished
    if st.button("Compare", key=Keys.COMPARE_START, disabled=busy or not models, icon=":material/leaderboard:"):
        app.comparison = ComparisonJob(
            ds, seeds=tuple(range(int(seeds))), models=tuple(models), spec=spec, config=config, ifn=app.selection.ifn
        ).start()
    common.watch(app.comparison, draw_comparison, "train.comparison")
    job = app.comparison
    if job is not None and job.finished:
        if job.error:
            common.error(job.error)
        elif job.result is not None:
            st.dataframe(leaderboard_rows(job.result), hide_index=True, width="stretch")
            st.plotly_chart(model_scores_figure(job.result), key="train.model_scores")


def draw_comparison(job: Job) -> None:
    assert isinstance(job, ComparisonJob)
    common.job_controls(job, "compare")
    last = f"; last: {job.last}" if job.last else ""
    st.progress(job.done / job.total, text=f"{job.done} of {job.total} fits{last}")


def main() -> None:
    ctx = common.header(
        "Train",
        "Train the HNN wired on the current network beside the same-width dense MLP. Next: Explain.",
        LESSON,
    )
    app, ds = ctx.app, ctx.dataset()
    if ds.target is None:
        common.stop_with("Training needs a target: choose the column to predict in the sidebar.")
    try:
        spec, configs = settings(app)
    except HNNVizError as err:
        common.stop_with(err)
    config = configs["hnn"]  # the epochs, batch size, seed and split every model shares
    busy = app.training is not None and not app.training.finished
    net = ctx.network()
    specs = model_specs(net, spec)
    announce(app, ds, net, specs, config)
    label = f"Train the {' and the '.join(specs)}"
    if st.button(label, key=Keys.TRAIN_START, type="primary", disabled=busy, icon=":material/model_training:"):
        try:
            by_name = {name: configs[spec.kind] for name, spec in specs.items()}
            app.start_training(TrainingJob(ds, specs, by_name, app.selection.ifn))
        except HNNVizError as err:
            common.stop_with(err)
    common.watch(app.training, draw_training, "train.training")
    if app.training is not None and app.training.finished:
        results(app.training, app.training.dataset)
    baselines(ctx, ds, spec, configs)


main()
