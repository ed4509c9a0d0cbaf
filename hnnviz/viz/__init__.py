"""Figure builders: pure functions from the pipeline's results to plotly figures or HTML.

They draw a :class:`~hnnviz.network.FilteredNetwork`, training histories and test predictions, a model
comparison, attributions and their faithfulness checks. No Streamlit here; the app pages call these and
render the result.

- :mod:`~hnnviz.viz.data`: the target's distribution.
- :mod:`~hnnviz.viz.layout`: vertex positions (crossing-free for a TMFG, spring otherwise).
- :mod:`~hnnviz.viz.network`: the network with its edges, triangles and tetrahedra; a WebGL view for large graphs.
- :mod:`~hnnviz.viz.comparison`: two filters on the same features, side by side.
- :mod:`~hnnviz.viz.complex`: the Homological Neural Network a clique complex defines.
- :mod:`~hnnviz.viz.graph`: the clique tree, the similarity matrix, an offline pyvis page.
- :mod:`~hnnviz.viz.training`: loss curves (live or finished), predictions, the confusion matrix, model scores.
- :mod:`~hnnviz.viz.inspect`: one simplex's unit and the prediction over its features (the simplex inspector).
- :mod:`~hnnviz.viz.pure`: pure effects read as EBM's terms: a ranking, each term's shape over its rows, one
  row's split from the intercept to the output.
- :mod:`~hnnviz.viz.tables`: the rows of the tables a page shows (test results, the leaderboard), in plain words.
- :mod:`~hnnviz.viz.explain`: top simplices and features, a prediction split by order, deletion/insertion
  curves against random orderings, predictions before and after a knock-out.
"""

from .comparison import comparison_figure
from .complex import hnn_layers_figure
from .data import target_figure
from .explain import (
    deletion_insertion_figure,
    feature_importance_figure,
    knockout_figure,
    order_waterfall_figure,
    ranking_figure,
)
from .graph import clique_tree_figure, graph_html, similarity_heatmap
from .inspect import inspector_figure
from .layout import LAYOUTS, layout_positions, planar_or_none, planar_positions, spring_positions
from .network import graph_figure, light_network_figure, network_figure
from .pure import pure_ranking_figure, pure_shape_figure, pure_waterfall_figure
from .sweep import sweep_figure, write_sweep_summary
from .tables import leaderboard_rows, results_rows
from .training import confusion_figure, loss_curves_figure, model_scores_figure, prediction_figure

__all__ = [
    "LAYOUTS",
    "clique_tree_figure",
    "comparison_figure",
    "confusion_figure",
    "deletion_insertion_figure",
    "feature_importance_figure",
    "graph_figure",
    "graph_html",
    "hnn_layers_figure",
    "inspector_figure",
    "knockout_figure",
    "layout_positions",
    "leaderboard_rows",
    "light_network_figure",
    "loss_curves_figure",
    "model_scores_figure",
    "network_figure",
    "order_waterfall_figure",
    "planar_or_none",
    "planar_positions",
    "prediction_figure",
    "pure_ranking_figure",
    "pure_shape_figure",
    "pure_waterfall_figure",
    "ranking_figure",
    "results_rows",
    "similarity_heatmap",
    "spring_positions",
    "sweep_figure",
    "target_figure",
    "write_sweep_summary",
]
