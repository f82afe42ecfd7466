"""The headline-only fixture (tests/fixtures/headline_only/): feeds shaped like real company blogs, served for real.

    config = headline_config(tmp_path / "show")
    with serve_headline_only(config, day) as served:   # 127.0.0.1, every feed date shifted so HEADLINE_DAY -> day
        ingest(served, store, now=...)

Served by the sample server machinery (`pipeline.samples.SampleServer` pointed at the fixture's folder), so the
same code path as ``briefcast run --sample`` fetches it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

import yaml

from pipeline.config import PROJECT_DIR, Config, load_config
from pipeline.samples import SampleServer, load_sample_sources

FOLDER = Path(__file__).resolve().parent / "fixtures" / "headline_only"
HEADLINE_DAY = date(2026, 3, 10)  # the fixture's feeds are dated around this day


def headline_config(folder: Path, **sections: object) -> Config:
    """A show folder with the project's config.yaml, the fixture's config.yaml laid over it, the fixture's sources
    (relative URLs, resolved by `serve_headline_only`) and any ``sections`` given; returns the loaded config."""
    data = yaml.safe_load((PROJECT_DIR / "config.yaml").read_text(encoding="utf-8"))
    data.update(yaml.safe_load((FOLDER / "config.yaml").read_text(encoding="utf-8")))
    data["sources"] = [source.model_dump(exclude_defaults=True) for source in load_sample_sources(FOLDER)]
    data.update(sections)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return load_config(path)


@contextmanager
def serve_headline_only(config: Config, day: date = HEADLINE_DAY) -> Iterator[Config]:
    """Serve the fixture on 127.0.0.1 with its dates moved to ``day``; yields ``config`` with absolute feed URLs."""
    with SampleServer(FOLDER, shift_days=(day - HEADLINE_DAY).days, port=0) as server:
        sources = [
            source.model_copy(update={"url": urljoin(server.base + "/", source.url.lstrip("/"))})
            if source.url.startswith("/")
            else source
            for source in config.sources
        ]
        yield config.model_copy(update={"sources": sources})
