"""A trained :class:`~hnnviz.model.Run` as a folder of plain files, and a strict reader.

Modules: ``_write`` (the document and the tensors), ``_read`` (every field checked), ``_checks`` (JSON
value checks), ``_safety`` (real files within their sizes) and ``_rebuild`` (graph, complex and model).
"""

from ._format import FORMAT_NAME, FORMAT_VERSION, RUN_FILE, SIMILARITY_FILE, WEIGHTS_FILE
from ._read import RunLimits, load_run
from ._write import save_run

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "RUN_FILE",
    "SIMILARITY_FILE",
    "WEIGHTS_FILE",
    "RunLimits",
    "load_run",
    "save_run",
]
