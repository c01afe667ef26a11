"""Every `patientbot` subcommand answers --help, and unknown input gets a clear error."""

from __future__ import annotations

import argparse

import pytest

from bot.cli import build_parser, main


def subcommand_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths.append(prefix + (name,))
                paths.extend(subcommand_paths(sub, prefix + (name,)))
    return paths


def test_expected_commands_exist() -> None:
    paths = subcommand_paths(build_parser())
    for expected in [("content", "validate"), ("content", "build"), ("classify",), ("eval",), ("setup",), ("train",)]:
        assert expected in paths


@pytest.mark.parametrize("path", subcommand_paths(build_parser()), ids=" ".join)
def test_every_subcommand_has_help(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*path, "--help"])
    assert exit_info.value.code == 0
    assert "usage: patientbot " + " ".join(path) in capsys.readouterr().out


def test_unknown_command_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
    assert main([]) == 2
