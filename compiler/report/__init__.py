"""`obsc report`: the estate (and, against a git ref, a change of it) as one HTML page.

Facts are gathered from the resolved model and the rendered output (alertmanager.yaml,
the collector's config.yaml), drawn as SVG by obsc itself and laid out by one Jinja2
template with autoescaping on, since every name on the page comes from a spec. The page
is self-contained: styles and its one small script are inline, nothing is fetched.
"""
