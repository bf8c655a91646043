"""The About panel, in the sections teachers know from NetLogo's Info tab."""

from __future__ import annotations

import markdown
import solara

from ecosim.ui.live_model import LiveModel

__all__ = ["SECTIONS", "AboutTheModel", "about_html"]

SECTIONS = {
    "WHAT IS IT?": """
This is a model of the **customer engagement ecosystem** (Maslowska, Malthouse & Collinger
2016), set in Indonesian e-commerce. A brand's actions do not reach customers in a straight
line: they ripple through an ecosystem of five elements that act on each other.

- **Brand actions**: advertising, social posts, promotions, influencer collaborations,
  loyalty programmes, and customer service (a failure, and how it is handled).
- **Customer brand experience**: what each customer knows and feels about the brand, from
  -1 (very bad) to +1 (very good).
- **Dialogue behaviour**: praise and complaints to friends, reviews and shares.
- **Shopping behaviour**: who buys, when, and which brand.
- **Other actors**: media, influencers, and, above all, *other customers*.

Between experience and dialogue sits **brand consumption**: reading, watching and sharing
the brand's content. The interactions are *non-linear*: one viral post can change what
people say, what they buy and what they think of the brand, all at once.

Engagement here is a **behaviour**, not a feeling. Patterson et al. (2006) define it as a
customer's *physical, cognitive and emotional presence* in the relationship with a brand:
in the model, cognitive presence is attending to (consuming) the brand's content, physical
presence is buying and using the product, emotional presence is how good their experience
of the brand feels (its valence, when positive). Customers climb **Evans's four stages**
(Evans & McKee 2010): **consumption** (they read and watch) → **curation** (they filter,
rate and comment) → **creation** (they make content about the brand) → **collaboration**
(they build with the brand and its community).
""",
    "HOW IT WORKS": """
Each customer is a person in a friendship network; brands, media channels and influencers
are agents too. One step is **one day**, in seven phases:

1. **Brands act.** Each brand runs its campaign calendar while its budget lasts: advertising,
   social posts, promotions and price changes, product launches, influencers, gamification,
   AI-personalised offers, community invitations, seeding programmes, win-back. Brands also
   *react*: when complaints trend they answer faster and apologise; they move budget to the
   channel that sells.
2. **Messages reach customers.** An advertisement reaches a customer with chance
   *reach × intensity × the segment's use of the channel*; a social post reaches the brand's
   followers, who **share** it with friends, who may share it again — a cascade that can go
   viral. An influencer's post weighs more the more credible the influencer (Hovland & Weiss
   1951); culturally timed messages (Ramadan, Harbolnas) draw more attention.
3. **Customers pay attention.** An exposed customer consumes the content with a chance that
   grows with their ad receptiveness. Consuming makes them aware, pulls their experience
   towards the message and starts them at *consumption*. Meeting the brand on several
   channels in a day, they judge its **omnichannel consistency**. Customers who are not
   engaged slowly forget the brand.
4. **Dialogue spreads.** Customers with a good experience recommend the brand, more often the
   higher their stage; customers with a bad experience complain whatever their stage, and
   dissatisfied customers talk more (Anderson 1998). Friends who hear it may become aware,
   and their experience moves towards what they hear. **Bad news weighs more** than good
   news (Baumeister et al. 2001). When talk about a brand suddenly rises, **media pick the
   story up** and show it to many more people.
5. **Customers shop.** Needs arrive around each customer's own rhythm (Ehrenberg 1959). A
   customer in need chooses among the brands they know, or none (a logit choice, McFadden
   1974), by experience, price, promotions, the average **rating**, habit and their
   **loyalty programme** (points that pull harder as the reward nears, status tiers, paid
   membership). A brand whose **checkout** is long or insists on an account loses some of
   those who chose it before they pay (Baymard Institute 2024). Using the product confirms
   or disappoints (Oliver 1980; disappointment weighs more, Mittal, Ross & Baldasare 1998).
   Some purchases go wrong — a late delivery, a stock-out, a defect; customers **complain**,
   some in public, and a quick, good answer restores much of what was lost, a late one
   little; a tier's best customers may get **priority delivery**, which spares them many
   late deliveries and stock-outs, at a cost (Lacey, Suh & Morgan 2007). Some buyers write
   reviews.
6. **Engagement moves.** A customer who engaged with the brand today may climb one 4C stage,
   more likely with a better experience; without contact, engagement fades. Customers who
   have bought may **churn** (after a bad experience, or a long time without buying) and be
   won back.
7. **Outcomes are recorded**: awareness, the 4C shares, engagement as the business defines
   it and its physical, cognitive and emotional presence, word of mouth, ratings, purchases,
   revenue and cost, loyalty, service, churn — and customers' lifetime value.

The scenario files in `scenarios/` hold every number; `docs/model.md` gives each formula and
its source.
""",
    "HOW TO USE IT": """
- **Scenario** (sidebar): pick a ready-made scenario, or upload a CSV edge list
  (`source,target` customer ids) to use your own friendship network.
- **Parameters** (sidebar): customers, days, network kind and friends per customer,
  segment shares, each brand's price, quality and budget, each influencer's audience, each
  campaign action's intensity or discount, and the key dynamics, each with its value and
  unit (money in thousands of rupiah). They apply when you press **Reset**; the sidebar
  lists the changes waiting for it, then those running. A combination the scenario schema
  rejects shows a message and the scenario as written runs instead.
- **Run** (sidebar): **Step** advances one day; **▶** plays and **❚❚** pauses, at the pace
  picked (simulated days per second; at 10 a year takes about 37 seconds). The top of the
  page shows the day and its date (day 1 is 1 January). The run stops at the scenario's
  last day.
- **Tabs**: *Model* the network and the live charts, with the campaign calendar on their
  time axis; *Ecosystem* today's flows; *Customer* the customer inspector; *Campaign* the
  campaign plan, to edit, apply on Reset and download; *About* this text; *Compare* a
  comparison of strategies (or of your edited plan with the scenario's), run many times
  each, with confidence intervals.
- **The network** (a sample of the customers when they are many) is drawn by
  force-directed placement (Fruchterman & Reingold 1991): friends sit close together.
- **Click a customer** in the network (or type an id in the Customer tab) to follow them:
  their state today and, from then on, their experience and stage day by day, also after a Reset.
""",
    "THINGS TO NOTICE": """
- **The ripple.** Watch the network coloured by 4C stage: awareness (orange) and engagement
  (blue) spread from the customers an advertisement reached to their friends, fastest
  around the well-connected hubs.
- **Where the ripple is now.** On the *Ecosystem* tab, press Step a few times during a
  campaign and watch which arrows of the diagram carry the most: *exposures* and
  *consumed* at once, *praise* and *heard* as engagement grows, *bought* when needs come
  round. The same campaign feeds all of them.
- **Sale days.** On Harbolnas (12.12, day 346), 11.11 and 9.9 purchases jump. Do they leave
  lasting engagement, or only a spike?
- **Bad news travels.** Complaints are fewer than praise, yet the experience of those who
  hear them falls more than praise lifts it.
- **The funnel narrows.** Many consume; few curate; very few create or collaborate.
""",
    "THINGS TO TRY": """
- **Define "engaged" for your business.** For a repeat-purchase business it may be purchase
  frequency, for another referrals, reviews or content made. Choose what *engaged means* in
  the parameters, press Reset, and follow the engaged share in the outcome explorer while you
  change the plan.
- Lower a brand's **quality**: its customers are disappointed after using it, they complain,
  and the complaints reach people who never bought.
- Open `service_crisis`: a courier failure after 11.11. In some runs (change the random seed) the
  complaints trend and the media run the story (▼ on the charts). Set the **service response
  days** to 1 (the 24-hour standard) or to 7 and watch sentiment, rating and churn.
- Open `viral_content` and follow the Ramadan posts: shares, then a media story, then a jump
  in awareness. Does the same happen with a lower **share rate**?
- Open `points_vs_tiers` or `paid_membership`: which programme keeps customers buying?
  Watch the tier reviews every 90 days.
- Open `omnichannel_consistency`: two equal brands, one consistent across channels.
- Open `brand_community`: engaged customers are invited to co-create. Watch the 4C funnel
  grow at its top stages, collaboration above all, and positive word of mouth follow; then
  take the community out of the plan in the campaign editor and compare.
- Open `easy_checkout`: two equal brands, one with a simple, mobile-first checkout and one
  whose long checkout loses a fifth of the customers who choose it. Follow
  *abandoned checkouts* in the outcome explorer: about 15 lost purchases a day, 26 on the
  sale days.
- Open `priority_delivery`: gold and platinum members' orders go first. Compare
  `incidents`, `purchases` and `profit` with priority switched off: a little more sales,
  fewer complaints, and a cost that a year's margin does not repay at Rp 10,000 a purchase.
- Open `winback`: two weeks before Harbolnas the brand asks every customer who has left to
  come back, and those with a better experience of the brand return more readily. Follow *won
  back* and *churned customers* in the outcome explorer; then take the win-back out of the
  plan in the campaign editor, or give it a response of 0.03 (a better offer), and compare.
- Raise the **negativity bias** and watch the range of the **wom experience weight** shrink:
  the schema keeps their product at most 1 (so experience stays within -1 and 1), and the
  caption under each slider says so.
- Switch the *network* from a scale-free friendship network to a small-world friendship
  network or a well-mixed market, or change *friends per customer*.
- Open `two_brands` or `price_war`: does the challenger's cheaper price buy lasting share, or
  trial followed by negative word of mouth?
""",
    "EXTENDING THE MODEL": """
Every mechanism is a scenario field: a new plan is a new TOML file (it can `extends` another
and change only what it needs), and `ecosim batch` compares plans with confidence intervals.
Each phase of the day is one module in `ecosim/processes/`; a new action type is a class in
`ecosim/scenario/campaign.py` and a few lines in the brand's step; a new seeding strategy is
one function registered in `ecosim/seeding.py`. As the model reports new outcomes, this app
charts them (loyalty and churn charts appear for their columns) and lists every column in the
outcome explorer, without changes to the app.

Ideas: several categories of products, with cross-selling between them (an engaged customer
now buys more of one product); customers who follow several influencers
with different trust; a competitor that reacts to your price; reviews that answer reviews.
""",
    "CREDITS AND REFERENCES": """
- Maslowska, E., Malthouse, E. C., & Collinger, T. (2016). The customer engagement
  ecosystem. *Journal of Marketing Management*, 32(5-6), 469-501.
- Evans, D., with McKee, J. (2010). *Social Media Marketing: The Next Generation of Business
  Engagement*. Wiley.
- Patterson, P., Yu, T., & de Ruyter, K. (2006). Understanding customer engagement in
  services. *ANZMAC 2006*.
- Anderson, E. W. (1998). Customer satisfaction and word of mouth. *Journal of Service
  Research*, 1(1), 5-17.
- Baumeister, R. F., Bratslavsky, E., Finkenauer, C., & Vohs, K. D. (2001). Bad is stronger
  than good. *Review of General Psychology*, 5(4), 323-370.
- Baymard Institute (2024). Söderlund, L., Checkout UX 2024: 11 pitfalls and best
  practices. https://baymard.com/blog/current-state-of-checkout-ux
- Ehrenberg, A. S. C. (1959). The pattern of consumer purchases. *Applied Statistics*, 8(1),
  26-41.
- Hovland, C. I., & Weiss, W. (1951). The influence of source credibility on communication
  effectiveness. *Public Opinion Quarterly*, 15(4), 635-650.
- Lacey, R., Suh, J., & Morgan, R. M. (2007). Differential effects of preferential
  treatment levels on relational outcomes. *Journal of Service Research*, 9(3), 241-256.
- McFadden, D. (1974). Conditional logit analysis of qualitative choice behavior. In
  P. Zarembka (Ed.), *Frontiers in Econometrics*. Academic Press.
- Mittal, V., Ross, W. T., & Baldasare, P. M. (1998). The asymmetric impact of negative and
  positive attribute-level performance on overall satisfaction and repurchase intentions.
  *Journal of Marketing*, 62(1), 33-47.
- Oliver, R. L. (1980). A cognitive model of the antecedents and consequences of
  satisfaction decisions. *Journal of Marketing Research*, 17(4), 460-469.
- Fruchterman, T. M. J., & Reingold, E. M. (1991). Graph drawing by force-directed placement.
  *Software: Practice and Experience*, 21(11), 1129-1164 (the network layout).
- Wilensky, U. (1999). *NetLogo*. Center for Connected Learning and Computer-Based
  Modeling, Northwestern University, Evanston, IL. http://ccl.northwestern.edu/netlogo/

The scenarios follow articles on customer engagement in Indonesian e-commerce: the
engagement ecosystem, Evans's four stages, four strategic steps towards engagement, and CRM
with loyalty programmes and service excellence. Built with Mesa and Solara; the sections of
this panel follow NetLogo's Info tab (Wilensky 1999).
""",
}
"""The panel's text (Markdown), section by section, in NetLogo's order."""

_STYLE = "max-width: 110em; columns: 2 34em; column-gap: 3em; line-height: 1.45"


def about_html(titles: tuple[str, ...]) -> str:
    """Render the named sections to HTML, each under its title.

    Examples
    --------
    >>> about_html(("WHAT IS IT?",)).startswith("<h3>WHAT IS IT?</h3>")
    True
    """
    text = "\n\n".join(f"### {title}\n{SECTIONS[title]}" for title in titles)
    return markdown.markdown(text)


@solara.component
def AboutTheModel(model: LiveModel) -> None:
    """Show every section, in NetLogo's order, over the whole tab."""
    solara.HTML(tag="div", unsafe_innerHTML=about_html(tuple(SECTIONS)), style=_STYLE)
