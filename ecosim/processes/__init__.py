"""The phases of one simulated day, each a vectorised function over the population.

1. :mod:`~ecosim.processes.brand_actions` -- brands decide today's actions;
2. :mod:`~ecosim.processes.exposure` -- media and influencers deliver exposures;
3. :mod:`~ecosim.processes.experience` -- awareness, experience valence and consumption;
4. :mod:`~ecosim.processes.dialogue` -- word of mouth on the network;
5. :mod:`~ecosim.processes.shopping` -- purchases;
6. :mod:`~ecosim.processes.engagement` -- 4C stage transitions;
7. data collection (:mod:`ecosim.metrics`).
"""
