"""The documentation stays in step with the code."""

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "parameter_table.py"


def _generator():
    spec = importlib.util.spec_from_file_location("parameter_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks the module up while being built
    spec.loader.exec_module(module)
    return module


def test_odd_parameter_table_is_current(capsys):
    """Fails when a schema field has no meaning in docs/parameter_table.py, or when a default,
    source, unit or bound changed without regenerating docs/ODD.md
    (fix: python docs/parameter_table.py)."""
    generator = _generator()
    assert generator.problems() == []
    status = generator.main(["--check"])
    assert status == 0, capsys.readouterr().err
