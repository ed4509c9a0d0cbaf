"""Stage 5: files. A trained run as a folder (:func:`save_run`, :func:`load_run`) and a whole session as a bundle
(:func:`write_bundle`, :func:`read_bundle`); both readers refuse anything unsafe and run no code.

Sub-packages: ``runfile`` (the run folder) and ``bundle`` (the session zip).
"""

from .bundle import (
    ATTRIBUTIONS,
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    DATA,
    MANIFEST,
    NETWORK,
    RUN_FILES,
    SETTINGS,
    Bundle,
    BundleLimits,
    read_bundle,
    write_bundle,
)
from .runfile import FORMAT_NAME, FORMAT_VERSION, RUN_FILE, SIMILARITY_FILE, WEIGHTS_FILE, RunLimits, load_run, save_run

__all__ = [
    "ATTRIBUTIONS",
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "DATA",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MANIFEST",
    "NETWORK",
    "RUN_FILE",
    "RUN_FILES",
    "SETTINGS",
    "SIMILARITY_FILE",
    "WEIGHTS_FILE",
    "Bundle",
    "BundleLimits",
    "RunLimits",
    "load_run",
    "read_bundle",
    "save_run",
    "write_bundle",
]
