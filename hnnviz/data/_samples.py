"""The data sets bundled in ``sample_data/`` (sources and licences in ``sample_data/README.md``)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import EllipsisType, MappingProxyType

from .._messages import join_or
from ..exceptions import DataFormatError, InputValidationError
from ._cleaning import load_dataset
from ._dataset import Dataset, Task

__all__ = ["SAMPLES", "SampleInfo", "load_sample", "sample_data_dir"]


@dataclass(frozen=True)
class SampleInfo:
    """One data set bundled in ``sample_data/``.

    Parameters
    ----------
    file : str
        File name inside ``sample_data/``.
    target : str or None
        Default target column (``None``: no target, e.g. asset returns).
    task : {"regression", "classification"} or None
        The task that target gives.
    description : str
        One sentence for menus and docs.
    """

    file: str
    target: str | None
    task: Task | None
    description: str


#: The bundled data sets, by name. Sources and licences: ``sample_data/README.md``.
SAMPLES: MappingProxyType[str, SampleInfo] = MappingProxyType(
    {
        "diabetes": SampleInfo(
            "diabetes.csv",
            "target",
            "regression",
            "Diabetes progression one year after baseline, 442 patients x 10 raw clinical features "
            "(Efron et al. 2004, via scikit-learn).",
        ),
        "breast_cancer": SampleInfo(
            "breast_cancer.csv",
            "diagnosis",
            "classification",
            "Breast cancer Wisconsin (Diagnostic): 569 tumours x 30 cell-nucleus features, malignant or "
            "benign (UCI, via scikit-learn).",
        ),
        "wine": SampleInfo(
            "wine.csv",
            "cultivar",
            "classification",
            "Wine: 178 wines x 13 chemical measurements, 3 cultivars (UCI, via scikit-learn).",
        ),
        "sp500_returns": SampleInfo(
            "sp500_returns.csv",
            None,
            None,
            "Daily simple returns of 20 S&P 500 stocks, 1990-2022 (skfolio; prices from Yahoo Finance). "
            "The classic use of information filtering networks.",
        ),
        "planted_interactions": SampleInfo(
            "planted_interactions.csv",
            "y",
            "regression",
            "Synthetic: 3000 rows x 24 features in correlated groups; y = x01*x02 + sin(x03+x04+x05) "
            "+ 2*tanh(x06*x07*x08*x09) + noise. Ground truth in planted_interactions.json.",
        ),
        "planted_shapes": SampleInfo(
            "planted_shapes.csv",
            "y",
            "regression",
            "Synthetic: 1500 rows x 10 features in correlated pairs; y = x01*x02 + max(x03, x04) "
            "+ 2*[x05 + x06 > 0] - 1 + noise: one pair per shape, for the simplex inspector. "
            "Ground truth in planted_shapes.json.",
        ),
        "planted_additive": SampleInfo(
            "planted_additive.csv",
            "y",
            "regression",
            "Synthetic: 1500 rows x 12 features in 3 correlated blocks; y = one nonlinear curve per feature + "
            "noise, no interaction at all. Ground truth in planted_additive.json.",
        ),
    }
)


def sample_data_dir() -> Path:
    """Return the folder of the bundled samples: ``hnnviz/sample_data`` in an installed wheel, else a clone's
    top-level ``sample_data/`` (an editable install, or the repository on ``sys.path``).

    The wheel maps the package ``hnnviz.sample_data`` onto the repository's ``sample_data/`` folder
    (``package-dir`` in pyproject.toml), so the files have one home in the repository.

    Raises
    ------
    DataFormatError
        If neither folder exists.

    Examples
    --------
    >>> (sample_data_dir() / "diabetes.csv").is_file()
    True
    """
    installed = Path(str(resources.files("hnnviz") / "sample_data"))
    clone = Path(__file__).resolve().parents[2] / "sample_data"
    for folder in (installed, clone):
        if folder.is_dir():
            return folder
    raise DataFormatError(
        f"Bundled sample data not found at {str(installed)!r} nor {str(clone)!r}. Reinstall hnnviz "
        "('pip install .' ships it in the package; 'pip install -e .' reads it from the repository)."
    )


def load_sample(name: str, *, target: str | EllipsisType | None = ..., task: Task | None = None) -> Dataset:
    """Load one of the bundled data sets listed in :data:`SAMPLES`.

    Parameters
    ----------
    name : str
        A key of :data:`SAMPLES`, e.g. ``"diabetes"``.
    target : str or None, optional
        Target column; by default the sample's own (``SAMPLES[name].target``); ``None`` for no target.
    task : {"regression", "classification"}, optional
        Overrides the inferred task.

    Returns
    -------
    Dataset

    Raises
    ------
    InputValidationError
        If ``name`` is not a bundled sample (close matches are suggested).
    DataFormatError
        If ``sample_data/`` or the file is missing.

    Examples
    --------
    >>> ds = load_sample("diabetes")
    >>> ds.n_rows, ds.n_features, ds.task
    (442, 10, 'regression')
    """
    if name not in SAMPLES:
        close = difflib.get_close_matches(str(name), list(SAMPLES), n=3, cutoff=0.5)
        hint = f" Did you mean {join_or([repr(c) for c in close])}?" if close else ""
        raise InputValidationError(
            f"Unknown sample {name!r}.{hint} Bundled samples: {', '.join(repr(s) for s in SAMPLES)}."
        )
    info = SAMPLES[name]
    path = sample_data_dir() / info.file
    if not path.is_file():
        raise DataFormatError(
            f"Sample file {str(path)!r} is missing; regenerate it with 'python sample_data/make_samples.py'."
        )
    chosen = info.target if target is ... else target
    return load_dataset(path, target=chosen, task=task, name=name)
