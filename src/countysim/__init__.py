"""countysim: an agent-based model of county-level urban-rural integration in China.

>>> import countysim
>>> res = countysim.run("scenarios/baseline.yaml")
>>> res.county[["year", "urbanization_resident", "income_ratio"]]
>>> print(res.brief())  # scenario, years and headline figures
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("countysim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from countysim.atomic import OutputExistsError  # noqa: E402
from countysim.census import find_counties as counties  # noqa: E402
from countysim.config import ScenarioError, load_scenario  # noqa: E402
from countysim.results import Results  # noqa: E402
from countysim.runner import run  # noqa: E402

__all__ = [
    "OutputExistsError",
    "Results",
    "ScenarioError",
    "__version__",
    "counties",
    "load_scenario",
    "run",
]
