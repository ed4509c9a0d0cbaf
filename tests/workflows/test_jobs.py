"""Tests of hnnviz.workflows: background work that can be paused, resumed and stopped between steps."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from hnnviz.data import load_sample
from hnnviz.exceptions import InputValidationError
from hnnviz.model import split_rows, train_run
from hnnviz.specs import IFNSpec, ModelSpec, TrainConfig
from hnnviz.workflows import ComparisonJob, Job, LabJob, TrainingJob, compare_models

WAIT = 120  # seconds: generous, so a busy machine never fails a test by timing out

SPECS = {"hnn": ModelSpec("hnn", channels=1), "mlp": ModelSpec("mlp", channels=1)}
LONG = TrainConfig(defaults="mlp", epochs=40, patience=40, seed=3)  # never stops early


@pytest.fixture(scope="module")
def diabetes():
    return load_sample("diabetes")


def counting_work(steps: int, log: list[int]):
    def work(job: Job) -> int:
        for step in range(steps):
            if not job.checkpoint():
                return step
            log.append(step)
        return steps

    return work


def test_a_paused_job_waits_at_its_checkpoint_and_resumes():
    log: list[int] = []
    job = Job(counting_work(5, log))
    job.pause()
    job.start()
    time.sleep(0.2)
    assert job.state == "paused" and job.holding and log == []  # held at the first checkpoint
    job.resume()
    assert job.wait(WAIT) and job.state == "done" and job.result == 5 and log == [0, 1, 2, 3, 4]
    assert not job.holding


def test_stopping_a_paused_job_releases_it_and_records_the_stop():
    log: list[int] = []
    job = Job(counting_work(5, log))
    job.pause()
    job.start()
    job.stop()
    assert job.wait(WAIT) and job.state == "stopped" and job.result == 0 and log == []


def test_a_failure_is_reported_not_raised():
    def bad_input(job: Job) -> None:
        raise InputValidationError("no target")

    def bug(job: Job) -> None:
        raise KeyError("oops")

    expected = job = Job(bad_input).start()
    assert job.wait(WAIT) and job.state == "failed" and job.error == "no target"
    job = Job(bug).start()
    assert job.wait(WAIT) and job.state == "failed" and job.error == "KeyError: 'oops'"
    assert expected.finished and job.seconds >= 0


def test_training_job_trains_each_model_as_train_run_does_on_the_same_split(diabetes):
    job = TrainingJob(diabetes, SPECS, TrainConfig(defaults="mlp", epochs=6, seed=2), IFNSpec()).start()
    assert job.wait(WAIT) and job.state == "done" and job.progress == 1.0
    split = split_rows(diabetes.n_rows, diabetes.y, "regression", val_size=0.2, test_size=0.2, seed=2)
    for name, spec in SPECS.items():
        alone = train_run(diabetes, spec, config=TrainConfig(defaults="mlp", epochs=6, seed=2), split=split)
        run = job.runs[name]
        assert np.array_equal(run.result.split.test, split.test)
        assert np.array_equal(run.predict(diabetes.X), alone.predict(diabetes.X))  # same seed, same model
        assert [r.val_loss for r in job.history[name]] == [r.val_loss for r in alone.result.history]


def test_pausing_training_holds_the_epochs_and_stopping_keeps_the_best_model(diabetes):
    job = TrainingJob(diabetes, SPECS, LONG, IFNSpec())
    job.pause()
    job.start()
    time.sleep(0.3)
    assert job.state == "paused" and job.epochs_done == 0  # held before the first model
    job.resume()
    deadline = time.monotonic() + WAIT
    while len(job.history["hnn"]) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    job.pause()
    time.sleep(0.3)  # the epoch in progress ends, then the job holds
    held = job.epochs_done
    time.sleep(0.3)
    assert job.state == "paused" and job.epochs_done == held >= 3
    job.stop()
    assert job.wait(WAIT) and job.state == "stopped"
    assert list(job.runs) == ["hnn"] and not job.history["mlp"]  # the MLP never started
    run = job.runs["hnn"]
    assert run.result.stopped == "callback" and run.result.epochs_run == held < LONG.epochs
    assert "test" in run.result.metrics  # a stopped model is a usable model


def test_training_job_refuses_a_table_without_target():
    with pytest.raises(InputValidationError, match="has no target column"):
        TrainingJob(load_sample("sp500_returns"), SPECS, LONG, IFNSpec())


def test_comparison_job_gives_compare_models_result(diabetes):
    options = dict(
        seeds=(0, 1), models=("hnn", "linear"), spec=ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=3)
    )
    job = ComparisonJob(diabetes, **options).start()
    assert job.wait(WAIT) and job.state == "done" and (job.done, job.total) == (4, 4)
    direct = compare_models(diabetes, **options)
    assert [r.metrics for r in job.result.records] == [r.metrics for r in direct.records]


def test_a_stopped_comparison_has_no_result(diabetes):
    job = ComparisonJob(diabetes, seeds=(0, 1, 2), models=("linear", "gbm"))
    job.pause()
    job.start()
    deadline = time.monotonic() + WAIT
    while job.done < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    job.stop()
    assert job.wait(WAIT) and job.state == "stopped" and job.result is None and job.done == 1


def test_lab_job_records_the_epochs_and_scores_the_lab():
    job = LabJob(
        n_rows=300, n_features=10, interactions=(2, 3), config=TrainConfig(defaults="mlp", epochs=5), seed=0
    ).start()
    assert job.wait(WAIT) and job.state == "done", job.error
    assert job.max_epochs == 5 and [r.epoch for r in job.history] == list(range(1, 6))
    assert job.result.groups == (("x01", "x02"), ("x03", "x04", "x05")) and 0 <= job.result.precision_at_k <= 1


def test_jobs_run_in_their_own_threads():
    started = threading.Event()
    job = Job(lambda job: started.set() or threading.current_thread().name).start()
    assert started.wait(WAIT) and job.wait(WAIT) and job.result == "hnnviz-job"


def test_starting_a_restored_job_trains_nothing(diabetes):
    """The root cause of sessions reopening with other numbers: the app starts every training job it is given,
    and a restored job's start used to run its work, retraining every model from epoch 1 over the saved ones."""
    run = train_run(diabetes, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=3))
    job = TrainingJob.restored(diabetes, {"HNN": run}, TrainConfig(defaults="mlp", epochs=3))
    assert job.start() is job and job.wait(0)
    time.sleep(0.5)  # long enough for a retraining thread to have recorded epochs
    assert not job._thread.is_alive() and job.runs["HNN"] is run and len(job.history["HNN"]) == 3
    assert job.state == "done" and job.current is None


def test_a_restored_job_holds_the_runs_and_refuses_another_table(diabetes):
    run = train_run(diabetes, ModelSpec(channels=1), config=TrainConfig(defaults="mlp", epochs=3))
    job = TrainingJob.restored(diabetes, {"HNN": run}, TrainConfig(defaults="mlp", epochs=3))
    assert job.finished and job.state == "done" and job.runs == {"HNN": run} and job.progress == 1.0
    assert [r.epoch for r in job.history["HNN"]] == [1, 2, 3]
    with pytest.raises(InputValidationError, match="Model 'HNN' was not trained on this table \\('wine'"):
        TrainingJob.restored(load_sample("wine"), {"HNN": run}, TrainConfig(defaults="mlp"))
    with pytest.raises(InputValidationError, match="There is no trained model to restore"):
        TrainingJob.restored(diabetes, {}, TrainConfig(defaults="mlp"))
