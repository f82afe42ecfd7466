"""Operations around the run: the lock, notifications (real loopback HTTP and SMTP servers), scheduling, init,
and the CLI's help text."""

from __future__ import annotations

import json
import os
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_config
from pipeline.errors import LockedError
from pipeline.files import load_episode, save_episode
from pipeline.models import Episode, Flag, Segment
from pipeline.notify import notify_ready
from pipeline.run import run_lock
from pipeline.schedule import schedule_units
from tests.conftest import write_show

DAY = date(2026, 3, 10)


def _episode() -> Episode:
    flag = Flag(id="f1", kind="unsupported_number", sentence="It costs $9.", span="$9", message="not in sources")
    return Episode(date=DAY, show="The AI Daily Brief", title="Lumen goes open", segments=[
        Segment(id="headlines", kind="headlines", title="Top headlines", text="A thing happened [1].", flags=[flag]),
        Segment(id="research", kind="research", title="Research picks", status="failed", error="timeout"),
    ])


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class _SMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message: what a real relay says, in order."""

    messages: list[str] = []

    def handle(self) -> None:
        self.wfile.write(b"220 localhost ESMTP test\r\n")
        data_mode, lines = False, []
        for raw in self.rfile:
            line = raw.decode().rstrip("\r\n")
            if data_mode:
                if line == ".":
                    type(self).messages.append("\n".join(lines))
                    data_mode = False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line)
                continue
            verb = line.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250-localhost\r\n250 8BITMIME\r\n")
            elif verb == "DATA":
                data_mode = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def hook_server():
    _Hook.received = []
    _Hook.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture
def smtp_server():
    _SMTP.messages = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTP)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_notify_sends_rundown_to_webhooks_and_email(tmp_path: Path, hook_server, smtp_server) -> None:
    url = f"http://127.0.0.1:{hook_server.server_address[1]}/hook"
    config = load_config(write_show(tmp_path, notify={
        "webhooks": [{"url": url, "format": "slack"}, {"url": url, "format": "json"}],
        "email": {"host": "127.0.0.1", "port": smtp_server.server_address[1], "sender": "brief@example.com",
                  "to": ["desk@example.com"], "starttls": False},
    }))
    save_episode(config.episodes_dir, _episode())
    result = notify_ready(config, DAY)
    assert result.status == "done", result.failures
    assert result.counts == {"sent": 3, "failed": 0}
    slack, generic = _Hook.received
    assert "Lumen goes open" in slack["text"] and "Open grounding flags: 1" in slack["text"]
    assert "failed segments: research" in slack["text"]
    assert generic["event"] == "draft_ready" and generic["review_url"].endswith("/episodes/2026-03-10")
    assert "Subject: The AI Daily Brief 2026-03-10: draft ready for review" in _SMTP.messages[0]


def test_notify_failure_is_reported_not_raised(tmp_path: Path, hook_server) -> None:
    _Hook.status = 500
    url = f"http://127.0.0.1:{hook_server.server_address[1]}/hook"
    config = load_config(write_show(tmp_path, notify={"webhooks": [{"url": url}]}))
    save_episode(config.episodes_dir, _episode())
    result = notify_ready(config, DAY)
    assert result.status == "failed"
    assert result.failures[0]["kind"] == "notify" and "500" in result.failures[0]["message"]


def test_lock_refuses_a_second_run_and_reports_a_killed_one(show) -> None:
    with run_lock(show) as note:
        assert note is None
        with pytest.raises(LockedError, match="another run"):
            with run_lock(show):
                pass
    # A run killed with -9 leaves its pid in the lock file; the kernel has dropped the lock itself.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    child.kill()
    child.wait()
    (show.state_dir / "run.lock").write_text(str(child.pid))
    with run_lock(show) as note:
        assert note is not None and f"pid {child.pid}" in note


def test_pid_alive_is_the_one_liveness_check() -> None:
    from pipeline.files import pid_alive

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: its pid names no process now
    assert pid_alive(os.getpid()) and not pid_alive(child.pid)
    assert not pid_alive(0) and not pid_alive(-1)  # a process group, or every process: never "the owner"


def test_lock_held_by_another_process(show) -> None:
    code = (
        "import sys, time; from pipeline.config import load_config; from pipeline.run import run_lock\n"
        f"c = load_config({str(show.path)!r})\n"
        "with run_lock(c):\n    print('locked', flush=True); time.sleep(20)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[1])
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError, match=f"pid {holder.pid}"):
            with run_lock(show):
                pass
    finally:
        holder.kill()
        holder.wait()
    with run_lock(show):
        pass


def test_schedule_prints_timer_and_cron(show) -> None:
    lines = "\n".join(schedule_units(show, at="06:15"))
    assert "OnCalendar=*-*-* 06:15:00 UTC" in lines and "Persistent=true" in lines
    assert "15 6 * * *" in lines and "CRON_TZ=UTC" in lines
    assert f"run --config {show.path.resolve()}" in lines
    result = CliRunner().invoke(app, ["schedule", "--config", str(show.path), "--at", "25:00"])
    assert result.exit_code == 2 and "HH:MM" in result.output


def test_init_creates_a_show_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["init", str(tmp_path / "myshow")])
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "myshow" / "config.yaml")
    assert config.prompts_dir == tmp_path / "myshow" / "prompts"
    again = runner.invoke(app, ["init", str(tmp_path / "myshow")])
    assert again.exit_code == 1 and "already" in again.output


def test_status_lists_episodes_and_what_waits(show) -> None:
    save_episode(show.episodes_dir, _episode())
    result = CliRunner().invoke(app, ["status", "--config", str(show.path), "--json"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)[0]
    assert row["status"] == "drafted" and row["open_flags"] == 1
    assert "approval" in row["waiting_on"] and "failed segments: research" in row["waiting_on"]


def test_status_shows_a_corrupt_episode_with_its_error(show) -> None:
    save_episode(show.episodes_dir, _episode())
    broken = show.episode_dir(date(2026, 3, 9)) / "episode.json"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text("not json")
    result = CliRunner().invoke(app, ["status", "--config", str(show.path), "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["date"]: row for row in json.loads(result.output)}
    assert rows["2026-03-09"]["status"] == "unreadable" and "not a valid episode" in rows["2026-03-09"]["error"]
    assert rows["2026-03-09"]["waiting_on"] == ["fix episode.json"]
    assert broken.read_text() == "not json"


def _commands(group: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every command under a click group, sub-groups and their commands included, as ("review sync", command)."""
    for name, command in sorted(getattr(group, "commands", {}).items()):
        yield " ".join((*prefix, name)), command
        yield from _commands(command, (*prefix, name))


def _without_help(typer_app: typer.Typer) -> list[str]:
    """The commands of an app whose ``--help`` shows no text of their own (no docstring, no help=)."""
    runner, missing = CliRunner(), []
    for name, command in _commands(typer.main.get_command(typer_app)):
        own = " ".join((command.help or command.short_help or "").split())
        shown = " ".join(runner.invoke(typer_app, [*name.split(), "--help"]).output.split())
        if not own or own[:40] not in shown:
            missing.append(name)
    return missing


def test_every_command_has_help() -> None:
    names = [name for name, _ in _commands(typer.main.get_command(app))]
    assert {"run", "ingest", "curate", "draft", "render", "approve", "publish", "status", "init", "schedule",
            "review", "review sync"} <= set(names)
    assert _without_help(app) == []


def test_the_help_check_catches_a_command_without_a_docstring() -> None:
    sample = typer.Typer()

    @sample.command()
    def documented() -> None:
        """Say what this does."""

    @sample.command()
    def bare() -> None:
        pass

    nested = typer.Typer(help="A group with help.")
    nested.command("inner")(lambda: None)
    sample.add_typer(nested, name="group")
    assert _without_help(sample) == ["bare", "group inner"]


def test_module_entry_point() -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], env={**os.environ, "COLUMNS": "100"})
    assert done.returncode == 0 and "briefcast" in done.stdout


def test_text_typed_outside_any_section_is_kept(show) -> None:
    from pipeline.review.draftmd import write_draft_md
    from pipeline.review.workflow import sync_draft

    episode = _episode()
    save_episode(show.episodes_dir, episode)
    path = write_draft_md(show, episode)
    edited = path.read_text().replace("\n## [headlines]", "\nA note typed above the sections.\n\n## [headlines]", 1)
    path.write_text(edited)
    synced = sync_draft(show, DAY)
    # Kept and said (issue 15): the note is the episode's editor note and stays where it was typed.
    assert synced == [] and synced.note
    assert load_episode(show.episodes_dir, DAY).editor_note == "A note typed above the sections."
    assert "A note typed above the sections." in path.read_text() and not path.with_name("draft.md.bak").exists()


def test_an_editors_new_number_is_flagged_against_the_sources(show) -> None:
    from datetime import UTC, datetime

    from pipeline.models import Item, SourceRef
    from pipeline.review.workflow import edit_segment
    from pipeline.store import open_store

    when = datetime(2026, 3, 10, 9, tzinfo=UTC)
    store = open_store(show.state_dir)
    store.upsert_items([Item(id="i1", source="Tech Daily", feed_url="https://feeds.example/t", title="Orca-70B",
                             url="https://t.example/orca", published=when, fetched=when,
                             content_text="Orca-70B scores 81.2 on MMLU, the lab said on Monday.")])
    store.close()
    ref = SourceRef(n=1, story_id="s1", item_id="i1", outlet="Tech Daily", title="Orca-70B", url="https://t.example/orca")
    episode = Episode(date=DAY, show="The AI Daily Brief", segments=[Segment(
        id="headlines", kind="headlines", title="Top headlines", sources=[ref],
        text="Orca-70B scores 81.2 on MMLU [1].", script="Orca 70 B scores 81.2 on MMLU.")])
    save_episode(show.episodes_dir, episode)
    edited = edit_segment(show, DAY, "headlines", text="Orca-70B scores 95.5 on MMLU [1].", base_version=1,
                          editor="desk")
    flags = [f for f in edited.segment("headlines").flags if not f.resolved]
    assert any(f.kind == "unsupported_number" and "95.5" in f.span for f in flags), flags
    fixed = edit_segment(show, DAY, "headlines", text="Orca-70B scores 81.2 on MMLU [1].", base_version=2, editor="desk")
    assert not [f for f in fixed.segment("headlines").flags if not f.resolved and f.field == "text"]
