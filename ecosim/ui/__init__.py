"""The web app: the model run and explored in Solara views of the engagement ecosystem."""
