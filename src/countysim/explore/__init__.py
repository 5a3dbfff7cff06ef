"""``countysim explore``: a local web app to explore a county in the browser.

A door of the package: it builds scenarios from what the page asks for (``levers``), runs
them through the same runner as the command line in a background process (``worker``,
``state``), and shows and exports the results (``figures``, ``session``, ``app``). It
holds no model logic. Needs the ``explore`` extra (``pip install -e ".[explore]"``).
"""
