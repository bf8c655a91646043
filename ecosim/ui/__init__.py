"""The web app: Mesa's SolaraViz with views of the customer engagement ecosystem."""
