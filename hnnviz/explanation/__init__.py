"""Stage 4: which simplices (groups of features) drive the predictions of a trained run.

:func:`explain` attributes a prediction to the units of each order (gradient x activation, integrated
gradients, ablation); :func:`faithfulness_report` checks those attributions (deletion/insertion, randomisation,
permuted labels, agreement); :func:`inspect_simplex` looks inside one simplex and :func:`read_shape` names the
shape of what it computes; :func:`purify` splits an HNN's output into identifiable pure effects;
:func:`structure_recall`, :func:`precision_at_k` and :func:`recall_at_k` score how well planted groups are
recovered (:func:`group_hit`: a reported interaction must lie inside one group).

Modules: ``_attribution``, ``_faithfulness``, ``_inspector``, ``_shapes``, ``_pure`` and ``_recovery``.
"""

from ._attribution import Attribution, SimplexScore, explain, order_split
from ._faithfulness import (
    Curve,
    FaithfulnessReport,
    KnockOut,
    SanityCheck,
    deletion_insertion,
    faithfulness_report,
    global_importance,
    knock_out,
    method_agreement,
    permuted_label_check,
    randomization_check,
    seed_agreement,
    top_k_overlap,
)
from ._inspector import SimplexResponse, inspect_simplex
from ._pure import WEAK_INTERACTIONS, PureEffect, PureEffects, purify
from ._recovery import HIT_RULES, group_hit, precision_at_k, recall_at_k, structure_recall
from ._shapes import SHAPE_LABELS, ShapeReading, read_shape

__all__ = [
    "HIT_RULES",
    "SHAPE_LABELS",
    "WEAK_INTERACTIONS",
    "Attribution",
    "Curve",
    "FaithfulnessReport",
    "KnockOut",
    "PureEffect",
    "PureEffects",
    "SanityCheck",
    "ShapeReading",
    "SimplexResponse",
    "SimplexScore",
    "deletion_insertion",
    "explain",
    "faithfulness_report",
    "global_importance",
    "group_hit",
    "inspect_simplex",
    "knock_out",
    "method_agreement",
    "order_split",
    "permuted_label_check",
    "precision_at_k",
    "purify",
    "randomization_check",
    "read_shape",
    "recall_at_k",
    "seed_agreement",
    "structure_recall",
    "top_k_overlap",
]
