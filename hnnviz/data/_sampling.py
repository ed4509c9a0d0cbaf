"""A random sample of a data set's rows, to explore a large table quickly; the rows left out are reported."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .._validation import check_int, check_seed
from ..exceptions import InputValidationError
from ._dataset import Dataset, DroppedItem

__all__ = ["sample_rows"]


def sample_rows(dataset: Dataset, n_rows: int, *, seed: int | np.random.Generator | None = 0) -> Dataset:
    """At most ``n_rows`` rows of ``dataset``, drawn at random without replacement, in their original order.

    For classification the draw is stratified, so every class keeps its share of the rows.

    Parameters
    ----------
    dataset : Dataset
    n_rows : int
        Rows to keep (at least 1). A data set with no more rows is returned as it is.
    seed : int, numpy.random.Generator or None, default 0
        Seed of the draw: an int seeds a new generator, a ``Generator`` is used (and advanced) as it is,
        ``None`` draws fresh entropy. The global random state is never touched.

    Returns
    -------
    Dataset
        The sampled rows; ``dropped`` gains one item counting the rows left out.

    Examples
    --------
    >>> ds = Dataset(X=np.arange(20.0).reshape(10, 2), feature_names=("a", "b"), name="toy")
    >>> small = sample_rows(ds, 4, seed=1)
    >>> small.n_rows, small.dropped[-1].count, str(small.dropped[-1])
    (4, 6, '6 rows left out by sampling: a random sample of 4 of 10 rows (seed 1)')
    """
    n_rows = check_int(n_rows, name="n_rows", owner="sample_rows", low=1)
    if dataset.n_rows <= n_rows:
        return dataset
    rng = check_seed(seed, owner="sample_rows")
    rows = np.arange(dataset.n_rows)
    if dataset.task == "classification":
        from sklearn.model_selection import train_test_split  # about 1 s to import: only when sampling

        try:
            keep, _ = train_test_split(
                rows, train_size=n_rows, stratify=dataset.y, random_state=int(rng.integers(2**31))
            )
        except ValueError as err:  # e.g. fewer rows asked for than there are classes
            raise InputValidationError(f"Cannot sample {n_rows} rows keeping every class: {err}") from err
    else:
        keep = rng.choice(rows, size=n_rows, replace=False)
    keep = np.sort(keep)
    shown = f" (seed {seed})" if isinstance(seed, int) else ""
    reason = f"a random sample of {n_rows} of {dataset.n_rows} rows{shown}"
    left_out = DroppedItem("rows", "rows left out by sampling", reason, dataset.n_rows - n_rows)
    return replace(
        dataset,
        X=np.ascontiguousarray(dataset.X[keep]),
        y=None if dataset.y is None else dataset.y[keep],
        dropped=(*dataset.dropped, left_out),
    )
