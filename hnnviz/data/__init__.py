"""Load a table, keep the usable numeric features, and report everything that was dropped.

The pipeline starts here: :func:`read_table` turns a file (a path, raw bytes or an uploaded file) into a
:class:`pandas.DataFrame`; :func:`prepare_dataset` picks the target, infers the task, keeps the finite
numeric feature columns and records every column or row it drops as a :class:`DroppedItem` (and as a
:class:`ReadNote` every cell read differently from how it is written: missing-value tokens such as ``?`` or
``n/a``, thousands separators, decimal commas, two-valued text); :func:`load_dataset` does both. Identifiers
(row numbers, keys) and leaks of the target are left out and listed as :class:`Flag` (``keep=`` keeps them);
missing cells are handled as ``missing=`` says (:data:`MISSING_RULES`), filled cells listed as
:class:`Imputation`, two-valued text read as 0/1 listed as :class:`Encoding`. :func:`load_sample` opens one
of the data sets bundled in ``sample_data/`` (see :data:`SAMPLES`); :func:`describe_columns` says, column by
column, what a table holds and what became of each column.

Modules: ``_reading`` (files to tables), ``_numeric`` (text cells to numbers), ``_cleaning`` (tables to data
sets), ``_identifiers``, ``_leaks`` and ``_missing`` (the checks it runs), ``_dataset`` (the result types),
``_samples`` (the bundled sets), ``_planted`` (synthetic tables with planted groups), ``_profile`` (the column
summary) and ``_sampling`` (a sample of the rows).
"""

from ._cleaning import load_dataset, prepare_dataset
from ._dataset import Dataset, DroppedItem, Encoding, Flag, Imputation, ReadNote, Task, feature_columns
from ._missing import MISSING_RULES
from ._numeric import MISSING_TOKENS, NumericReading, read_numbers
from ._planted import PlantedData, make_planted
from ._profile import describe_columns
from ._reading import MAX_BYTES, SUPPORTED_FORMATS, Source, excel_sheets, read_table
from ._samples import SAMPLES, SampleInfo, load_sample, sample_data_dir
from ._sampling import sample_rows

__all__ = [
    "MAX_BYTES",
    "MISSING_RULES",
    "MISSING_TOKENS",
    "SAMPLES",
    "SUPPORTED_FORMATS",
    "Dataset",
    "DroppedItem",
    "Encoding",
    "Flag",
    "Imputation",
    "NumericReading",
    "PlantedData",
    "ReadNote",
    "SampleInfo",
    "Source",
    "Task",
    "describe_columns",
    "excel_sheets",
    "feature_columns",
    "load_dataset",
    "load_sample",
    "make_planted",
    "prepare_dataset",
    "read_numbers",
    "read_table",
    "sample_data_dir",
    "sample_rows",
]
