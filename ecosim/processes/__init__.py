"""The phases of one simulated day, each a vectorised function over the population.

1. :mod:`~ecosim.processes.brand_actions` -- brands decide today's actions;
2. :mod:`~ecosim.processes.exposure` -- media and influencers deliver exposures, and
   :mod:`~ecosim.processes.direct_actions` the actions that reach customers without paid
   media (gamification, personalised offers, community invitations, seeding);
3. :mod:`~ecosim.processes.experience` -- awareness, experience valence and consumption;
4. :mod:`~ecosim.processes.dialogue` -- word of mouth on the network;
5. :mod:`~ecosim.processes.shopping` -- purchases, with :mod:`~ecosim.processes.loyalty`
   (points, tiers, paid membership), :mod:`~ecosim.processes.service` (incidents,
   complaints and their handling) and :mod:`~ecosim.processes.reviews` (reviews and the
   rating);
6. :mod:`~ecosim.processes.engagement` -- 4C stage transitions, and
   :mod:`~ecosim.processes.retention` -- churn and win-back;
7. data collection (:mod:`ecosim.metrics`).

Beside the phases: :mod:`~ecosim.processes.costs` (programmes' running costs),
:mod:`~ecosim.processes.sampling` (every customer's random draws, keyed for common random
numbers) and :mod:`~ecosim.processes.diffusion` (the reduced models' classic rules).
"""
