"""Starting the web server of ``countysim explore`` (Solara on uvicorn), bound to 127.0.0.1
unless asked otherwise: the app runs simulations on request, so it is not meant to be
reachable from other machines without thought."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "countysim.explore.app:Page"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, scenarios: Path | None = None) -> int:
    """Run the server until interrupted. ``scenarios`` is the folder of scenario files the
    page offers (default: ``scenarios/`` here, else the source tree's)."""
    from countysim.explore.session import SCENARIOS_ENV, scenarios_dir
    from countysim.explore.state import shared_explorer

    directory = (scenarios or scenarios_dir()).resolve()
    os.environ[SCENARIOS_ENV] = str(directory)
    # Read the reforms and start the simulation process now, so that neither the first page
    # nor the first run waits for them.
    shared_explorer(directory).start()
    # Solara reads its settings from the environment when first imported: no usage
    # statistics sent anywhere, no version check over the network.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    from solara.__main__ import cli

    args = ["run", APP, "--host", host, "--port", str(port), "--production"]
    args += ["--no-open", "--no-check-version", "--log-level", "warning"]
    try:
        cli.main(args=args, prog_name="countysim explore", standalone_mode=False)
    finally:
        from countysim.explore.state import close_shared

        close_shared()
    return 0
