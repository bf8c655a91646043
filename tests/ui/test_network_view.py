import numpy as np

from ecosim.ui.layout import NetworkSample
from ecosim.ui.live_model import LiveModel
from ecosim.ui.network_view import MAX_LINKS, _edge_layer, caption, drawn_edges, network_figure


def test_a_complete_network_is_drawn_with_its_links_and_says_so():
    model = LiveModel("scenarios/baseline.toml", customers=100, network="complete")
    sample = model.network_sample
    assert model.network.well_mixed and not len(sample.edges)  # the layout keeps no edges
    edges = drawn_edges(sample)
    assert len(edges) == 100 * 99 // 2 and np.all(edges[:, 0] < edges[:, 1])
    assert len(np.unique(edges, axis=0)) == len(edges)
    assert _edge_layer(sample)[..., 3].mean() > 0.05  # lines cover the picture
    figure = network_figure(sample, model, 0, "4C stage")
    assert figure.images[0].zorder < figure.axes[0].zorder  # lines under the dots
    assert caption(sample) == (
        "all 100 customers, each a friend of all the others: all 4,950 links drawn. "
        "Click one to follow it."
    )


def test_a_large_complete_network_shows_a_sample_of_its_links():
    nodes = np.arange(0, 3000, 3)
    sample = NetworkSample(
        nodes,
        np.random.default_rng(0).random((1000, 2)),
        np.empty((0, 2), int),
        np.full(1000, 2999),
        3000,
    )
    edges = drawn_edges(sample)
    assert len(edges) == MAX_LINKS and len(np.unique(edges, axis=0)) == MAX_LINKS
    assert edges.min() >= 0 and edges.max() < 1000 and np.all(edges[:, 0] < edges[:, 1])
    assert caption(sample).startswith(
        "1,000 of 3,000 customers, each a friend of all the others: 5,000 of the 4,498,500 links"
    )


def test_other_networks_keep_their_edges_and_caption():
    model = LiveModel("scenarios/baseline.toml", customers=300)
    sample = model.network_sample
    assert drawn_edges(sample) is sample.edges
    assert caption(sample) == "all 300 customers; dot size: friends. Click one to follow it."
