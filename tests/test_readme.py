"""Every command the README shows is a real command with real options, and the quickstart is what CI runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import typer.main

from pipeline.cli import app

PROJECT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[list[str]]:
    text = (PROJECT / "README.md").read_text()
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                commands.append(shlex.split(line))
    return commands


def test_readme_quickstart_is_make_demo_then_make_test() -> None:
    commands = _readme_commands()
    assert commands[:2] == [["make", "demo"], ["make", "test"]]
    ci = (PROJECT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_every_make_target_in_readme_exists() -> None:
    makefile = (PROJECT / "Makefile").read_text()
    for command in _readme_commands():
        if command[0] == "make":
            assert re.search(rf"^{command[1]}:", makefile, flags=re.M), command


def test_every_briefcast_command_in_readme_parses() -> None:
    group = typer.main.get_command(app)
    seen = 0
    for command in _readme_commands():
        if command[0] != "briefcast":
            continue
        args = command[1:]
        ctx = group.make_context("briefcast", list(args), resilient_parsing=False)
        name, sub, rest = group.resolve_command(ctx, list(args))
        while hasattr(sub, "resolve_command") and rest and not rest[0].startswith("-"):
            sub_ctx = sub.make_context(name, list(rest))
            name, sub, rest = sub.resolve_command(sub_ctx, list(rest))
        sub.make_context(name, list(rest))  # raises on an unknown option or a missing argument
        seen += 1
    assert seen >= 10
