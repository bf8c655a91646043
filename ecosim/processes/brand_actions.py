"""Phase 1: brands decide today's actions (see :class:`ecosim.agents.Brand`) and prices."""

from __future__ import annotations

import numpy as np

from ecosim.scenario import Promotion

__all__ = ["discount_table"]


def discount_table(
    promotions: list[tuple[int, Promotion]], n_brands: int, segments: list[str]
) -> np.ndarray:
    """Today's price discount of each brand for each segment.

    Overlapping promotions do not stack: the deepest discount applies.

    Parameters
    ----------
    promotions : list of (int, Promotion)
        Active promotion actions with the index of their brand.
    n_brands : int
        Number of brands.
    segments : list of str
        Segment names, in scenario order.

    Returns
    -------
    ndarray of float64, shape (n_brands, n_segments)
        Discount as a fraction of the list price.

    Examples
    --------
    >>> from ecosim.scenario import Promotion
    >>> sale = Promotion(type="promotion", brand="a", start=1, end=3, discount=0.2, segment="young")
    >>> discount_table([(0, sale)], 1, ["young", "old"]).tolist()
    [[0.2, 0.0]]
    """
    table = np.zeros((n_brands, len(segments)))
    for brand, action in promotions:
        columns = slice(None) if action.segment == "all" else segments.index(action.segment)
        table[brand, columns] = np.maximum(table[brand, columns], action.discount)
    return table
