import numpy as np

from ecosim.processes.brand_actions import discount_table
from ecosim.scenario import Promotion


def promo(brand="a", segment="all", discount=0.1):
    return Promotion(
        type="promotion", brand=brand, start=1, end=2, segment=segment, discount=discount
    )


def test_deepest_discount_applies_per_brand_and_segment():
    table = discount_table(
        [
            (0, promo(discount=0.1)),
            (0, promo(segment="old", discount=0.3)),
            (1, promo(discount=0.05)),
        ],
        2,
        ["young", "old"],
    )
    assert np.allclose(table, [[0.1, 0.3], [0.05, 0.05]])


def test_no_promotion_no_discount():
    assert not discount_table([], 3, ["x"]).any()
