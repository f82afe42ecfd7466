"""``briefcast init DIR``: a new show folder with the reference config.yaml and the prompts to edit."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.config import PROJECT_DIR
from pipeline.errors import BriefcastError


def init_show(directory: Path) -> Path:
    """Copy config.yaml and prompts/ into ``directory``; never overwrites an existing show."""
    folder = Path(directory)
    if (folder / "config.yaml").exists():
        raise BriefcastError("a show already lives here", subject=str(folder / "config.yaml"),
                             hint="choose an empty folder, or edit that config.yaml")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_DIR / "config.yaml", folder / "config.yaml")
    shutil.copytree(PROJECT_DIR / "prompts", folder / "prompts", dirs_exist_ok=True)
    (folder / "episodes").mkdir(exist_ok=True)
    return folder
