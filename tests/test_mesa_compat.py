"""EcosystemModel runs under Mesa's own batch runner, mesa.batch_run."""

import inspect

import mesa
import pandas as pd

import ecosim
from ecosim import EcosystemModel
from ecosim.metrics import OUTCOMES

from support import SCENARIOS


def test_mesa_batch_run_gives_the_same_days_as_ecosim_run():
    parameters = {
        "scenario": str(SCENARIOS / "baseline.toml"),
        "customers": 300,
        "days": 6,
        "overrides": [{"brands.tokoku.price": 120}],
    }
    seeds = [3, 4]
    if "rng" in inspect.signature(mesa.batch_run).parameters:
        options = {"rng": seeds}  # Mesa 3.5 replaces an "rng" parameter with None
    else:
        parameters["rng"] = seeds  # Mesa 3.3 has no seed argument: sweep rng
        options = {}
    rows = mesa.batch_run(
        EcosystemModel,
        parameters,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
        **options,
    )
    table = pd.DataFrame(rows)
    assert len(table) >= 2 * 6
    for seed in seeds:
        runs = (
            table[table["rng"] == seed]
            if "rng" in table
            else table[table["RunId"] == seeds.index(seed)]
        )
        expected = ecosim.run(
            SCENARIOS / "baseline.toml",
            days=6,
            seed=seed,
            customers=300,
            overrides={"brands.tokoku.price": 120},
        )
        for _, row in runs.iterrows():
            day = expected.iloc[int(row["Step"])]
            for name in OUTCOMES:
                assert row[name] == day[name] or (pd.isna(row[name]) and pd.isna(day[name])), (
                    seed,
                    row["Step"],
                    name,
                )
        assert set(runs["Step"]) >= set(range(6)), "Mesa 3.3 reports days 0..days-1"
    days = table[table["Step"] == 5].set_index("rng" if "rng" in table else "RunId")
    assert days["exposures"].nunique() == 2, "each run has its own seed"
