"""Figure builders: pure functions from a :class:`~hnnviz.pipeline.FilteredNetwork` to plotly figures or HTML.

No Streamlit here; the app pages call these and render the result.

- :mod:`~hnnviz.viz.layout`: vertex positions (crossing-free for a TMFG, spring otherwise).
- :mod:`~hnnviz.viz.network`: the network with its edges, triangles and tetrahedra; a WebGL view for large graphs.
- :mod:`~hnnviz.viz.comparison`: two filters on the same features, side by side.
- :mod:`~hnnviz.viz.complex`: the Homological Neural Network a clique complex defines.
- :mod:`~hnnviz.viz.graph`: the clique tree, the similarity matrix, an offline pyvis page.
"""

from .comparison import EdgeComparison, comparison_figure, edge_comparison
from .complex import hnn_layers_figure
from .graph import clique_tree_figure, graph_html, similarity_heatmap
from .layout import LAYOUTS, is_maximal_planar, layout_positions, planar_positions
from .network import graph_figure, light_network_figure, network_figure

__all__ = [
    "LAYOUTS",
    "EdgeComparison",
    "clique_tree_figure",
    "comparison_figure",
    "edge_comparison",
    "graph_figure",
    "graph_html",
    "hnn_layers_figure",
    "is_maximal_planar",
    "layout_positions",
    "light_network_figure",
    "network_figure",
    "planar_positions",
    "similarity_heatmap",
]
