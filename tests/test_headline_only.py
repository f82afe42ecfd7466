"""The show keeps its shape on headline-only feeds (tests/fixtures/headline_only/, served for real on 127.0.0.1):
ingest then curate, and the rundown honours the fixture's README: no German item, no outlet past its cap, papers
from a blog and the press in research, the debate filled from real feeds' wording, a walk-back merged with what it
walks back, no 2004 entry."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.curate import curate
from pipeline.ingest import ingest
from pipeline.models import Rundown
from pipeline.store import Store, open_store
from tests.headline_only import HEADLINE_DAY, headline_config, serve_headline_only

EVENING = datetime(2026, 3, 10, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def fed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Store]:
    config = headline_config(tmp_path_factory.mktemp("headline") / "show")
    store = open_store(config.state_dir)
    with serve_headline_only(config) as served:
        result = ingest(served, store, now=EVENING)
    assert result.counts["feeds_ok"] == 6 and result.counts["items_seen"] == 26, result
    return config, store


def _placed(rundown: Rundown) -> list:
    by_id = {story.id: story for story in rundown.stories}
    return [by_id[sid] for ids in rundown.segments.values() for sid in ids]


def test_the_rundown_keeps_its_shape(fed: tuple[Config, Store]) -> None:
    config, store = fed
    rundown = curate(config, store, HEADLINE_DAY)
    placed = _placed(rundown)
    titles = [source.title for story in rundown.stories for source in story.sources]

    # a German post is never handed to the English show
    assert not any("München" in title for title in titles)
    assert any("not in the show's language (en)" in note and "München" in note for note in rundown.notes)
    # one company's blog cannot fill the show
    alone = Counter(story.outlets[0] for story in placed if len(story.outlets) == 1)
    assert alone["Orbital AI News"] == config.curate.max_per_outlet == 3
    assert max(alone.values()) <= 3
    assert any("only 'Orbital AI News' reports left out" in note for note in rundown.notes)
    # research takes a paper from a lab blog and a study from the press: there is no arXiv feed at all
    research = {story.title for story in placed if story.segment == "research"}
    assert any(title.startswith("Paper: sparse routing") for title in research), research
    assert any(title.startswith("Study finds coding agents") for title in research), research
    # the debate fills from "open-sources", "open-weight", "open weights": none of them matched whole words only
    debate = [story for story in placed if story.segment == "open-vs-closed"]
    assert len(debate) >= 2 and any("Cinder-2" in story.title for story in debate)
    assert {"headlines", "deep-dive", "open-vs-closed", "research", "policy", "quick-hits"} <= set(rundown.segments)
    # the walk-back of a pricing change, headline against headline, supersedes the change: one story, latest first
    (pricing,) = [story for story in rundown.stories if any("batch" in s.title for s in story.sources)]
    assert pricing.title.startswith("Orbital walks back") and len(pricing.updates) == 1
    assert [s.superseded_by is not None for s in pricing.sources] == [False, True]
    # an entry dated 2004 is not today's news
    assert not any("archive" in title.lower() for title in titles)


def test_other_languages_can_be_kept_for_translation(fed: tuple[Config, Store], tmp_path: Path) -> None:
    config, store = fed
    translate = config.model_copy(update={
        "curate": config.curate.model_copy(update={"other_languages": "translate"}),
        "root": tmp_path,  # its own episodes folder: the other test's rundown stays as it is
    })
    rundown = curate(translate, store, HEADLINE_DAY)
    german = [story for story in rundown.stories if any("München" in s.title for s in story.sources)]
    assert len(german) == 1 and german[0].language == "de"
    assert all(story.language is None for story in rundown.stories if story is not german[0])
