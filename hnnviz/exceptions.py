"""Exception tree of hnnviz.

Every error the package raises on purpose derives from :class:`HNNVizError`, so an application can catch
one class and show the message. Each concrete class also derives from the built-in exception that fits
(``ValueError``, ``AttributeError`` ...), so generic handlers keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._not_fitted import NotFittedError

__all__ = [
    "AppError",
    "BundleError",
    "DataFormatError",
    "GraphConstructionError",
    "HNNVizError",
    "InputValidationError",
    "ModelFileError",
    "NotFittedError",
    "TooFewFeaturesError",
    "TooFewRowsError",
    "TrainingDivergedError",
]


class HNNVizError(Exception):
    """Base class of every error raised on purpose by hnnviz."""


class InputValidationError(HNNVizError, ValueError):
    """An argument or a data set is not acceptable (wrong shape, NaN, unknown option ...)."""


class DataFormatError(InputValidationError):
    """A file cannot be read as a table: empty, not UTF-8, unknown format, duplicate column names."""


class ModelFileError(InputValidationError):
    """A saved run cannot be written or read back.

    For example a missing file, a file that is not JSON, an unknown format or version, a corrupt safetensors
    file, or a tensor whose name, shape or dtype does not match the rebuilt model.
    """


class BundleError(ModelFileError):
    """A bundle (the zip of settings, network, runs, attributions and data) cannot be written or read back.

    For example a file that is not a zip or is too large, a member outside the bundle's layout (a path that
    climbs out with ``..``, a symbolic link, a pickle), a zip bomb, or a manifest that does not match the
    members. A run inside that cannot be loaded is reported with its :class:`ModelFileError` message.
    """


class TooFewRowsError(InputValidationError):
    """Fewer usable rows remain than the analysis needs."""


class TooFewFeaturesError(InputValidationError):
    """Fewer usable feature columns remain than the analysis needs (an IFN needs at least 4)."""


class GraphConstructionError(HNNVizError, ValueError):
    """A filtered graph cannot be built from the given similarity matrix (e.g. a TMFG on fewer than 4 nodes)."""


class AppError(HNNVizError, RuntimeError):
    """The app cannot be started (its pages are not installed), or Streamlit stopped with an error."""


class TrainingDivergedError(HNNVizError, RuntimeError):
    """The training loss became NaN or infinite.

    Parameters
    ----------
    message : str
        What happened.
    epoch : int
        The epoch (counted from 1) at which the loss stopped being finite.
    """

    def __init__(self, message: str, epoch: int) -> None:
        super().__init__(message)
        self.epoch = epoch


def __getattr__(name: str) -> Any:
    """Define :class:`NotFittedError` on first use: it subclasses scikit-learn's, whose import takes about a
    second, and most commands (``hnnviz --help``, ``hnnviz filter``) never need it."""
    if name == "NotFittedError":
        from ._not_fitted import NotFittedError

        return NotFittedError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
