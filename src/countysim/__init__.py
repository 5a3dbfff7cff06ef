"""countysim: an agent-based model of county-level urban-rural integration in China."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("countysim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
