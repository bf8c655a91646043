"""The web app: Mesa's model run and explored in Solara views of the customer engagement ecosystem."""
