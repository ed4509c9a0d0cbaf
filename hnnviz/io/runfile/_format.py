"""The run folder's format: its name and version, its file names, and the sizes the reader allows."""

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "RUN_FILE", "SIMILARITY_FILE", "WEIGHTS_FILE"]

FORMAT_NAME = "hnnviz-run"

FORMAT_VERSION = 2  # 2: the filtering options are an IFNSpec under 'ifn'

RUN_FILE = "run.json"

WEIGHTS_FILE = "weights.safetensors"

SIMILARITY_FILE = "similarity.safetensors"

_MIB = 2**20

# Room for a safetensors header beyond the tensors' own bytes: 8 bytes of length, then JSON of about 100 bytes a
# tensor (name, dtype, shape, offsets), padded to 8 bytes.
_HEADER_BYTES = 64 * 1024

_HEADER_BYTES_PER_TENSOR = 1024

_TASKS = ("regression", "classification")

_STOP_REASONS = ("early", "max_epochs", "callback")

_PARTS = ("train", "val", "test")
