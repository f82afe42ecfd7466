"""Unattended daily runs: a systemd user timer (printed or installed) and the equivalent crontab line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import ConfigError
from pipeline.files import atomic_write_text


def _command(config: Config) -> str:
    exe = shutil.which("briefcast") or f"{sys.executable} -m pipeline"
    return f"{exe} run --config {config.path.resolve()}"


def schedule_units(config: Config, *, at: str = "05:30", install: bool = False) -> list[str]:
    """The service and timer units and a crontab line; with ``install``, write and enable the units."""
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", at):
        raise ConfigError(f"--at {at!r} is not a time of day", hint="write it as HH:MM, e.g. 05:30")
    hour, minute = at.split(":")
    tz = config.show.timezone
    service = "\n".join([
        "[Unit]",
        f"Description=briefcast daily run: {config.show.title}",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        f"WorkingDirectory={config.root.resolve()}",
        f"ExecStart={_command(config)}",
        "",
    ])
    timer = "\n".join([
        "[Unit]",
        f"Description=Run briefcast every day at {at} {tz}",
        "",
        "[Timer]",
        f"OnCalendar=*-*-* {at}:00 {tz}",
        "Persistent=true",  # a machine that was off at the time runs the job when it comes back
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
    ])
    cron = (
        f"CRON_TZ={tz}\n{int(minute)} {int(hour)} * * * "
        f"cd {config.root.resolve()} && {_command(config)} >> .briefcast/cron.log 2>&1"
    )
    lines = ["# ~/.config/systemd/user/briefcast.service", service, "# ~/.config/systemd/user/briefcast.timer", timer,
             "# or, with cron (crontab -e):", cron]
    if install:
        folder = Path.home() / ".config" / "systemd" / "user"
        atomic_write_text(folder / "briefcast.service", service)
        atomic_write_text(folder / "briefcast.timer", timer)
        lines.append(f"# wrote {folder / 'briefcast.service'} and {folder / 'briefcast.timer'}")
        if shutil.which("systemctl"):
            done = subprocess.run(
                ["systemctl", "--user", "enable", "--now", "briefcast.timer"],
                capture_output=True,
                text=True,
                check=False,
            )
            lines.append(
                "# enabled: systemctl --user list-timers"
                if done.returncode == 0
                else f"# could not enable the timer ({done.stderr.strip()}); "
                "run: systemctl --user enable --now briefcast.timer"
            )
    return lines
