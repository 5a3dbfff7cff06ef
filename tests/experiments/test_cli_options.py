"""The options shared by sweep, panel and calibrate are checked alike by every command."""

import pytest

from countysim.cli import main


@pytest.mark.parametrize("command", ["sweep", "panel", "calibrate"])
@pytest.mark.parametrize("option", [["--workers", "0"], ["--shard", "3/2"], ["--executor", "gpu"]])
def test_bad_executor_options_exit_2_before_the_file_is_read(capsys, command, option):
    with pytest.raises(SystemExit) as exit_:
        main([command, "no-such-file.yaml", *option])
    assert exit_.value.code == 2
    assert option[0] in capsys.readouterr().err


def test_calibrate_has_no_shard_and_the_others_share_one_set_of_options(capsys):
    for command in ("sweep", "panel", "calibrate"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert all(f"--{name}" in text for name in ("executor", "workers", "scheduler"))
        assert ("--shard" in text) == (command != "calibrate")
