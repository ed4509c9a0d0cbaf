"""Figure builders: pure functions from a :class:`~hnnviz.pipeline.FilteredNetwork` to plotly figures or HTML.

No Streamlit here; the app pages call these and render the result.
"""

from .graph import clique_tree_figure, graph_figure, graph_html, layout_positions, similarity_heatmap

__all__ = ["clique_tree_figure", "graph_figure", "graph_html", "layout_positions", "similarity_heatmap"]
