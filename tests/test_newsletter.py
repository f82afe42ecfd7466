"""render_episode: newsletter.md/.html/.txt and script.md from a hand-built episode; audio failures recorded."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from pipeline.config import Config, load_config
from pipeline.errors import PublishError
from pipeline.files import load_episode
from pipeline.models import StageResult
from pipeline.publish import render_episode
from pipeline.store import open_store
from publish_support import HOSTILE_TITLE, add_episode, audio_info, make_episode

from conftest import write_show

DAY = date(2026, 3, 10)
FILES = ("newsletter.md", "newsletter.html", "newsletter.txt", "script.md")


def _render(config: Config, **kwargs) -> list[StageResult]:
    add_episode(config, make_episode(DAY, **kwargs), mp3=False, transcript=False, chapters=False)
    return render_episode(config, None, DAY, audio=False)


def _read(config: Config, name: str) -> str:
    return (config.episode_dir(DAY) / name).read_text(encoding="utf-8")


def test_writes_the_four_files_and_counts(show: Config) -> None:
    results = _render(show)
    assert [r.stage for r in results] == ["newsletter", "audio"]
    assert results[1].status == "skipped"
    newsletter = results[0]
    assert newsletter.status == "done"
    for name in FILES:
        assert (show.episode_dir(DAY) / name).stat().st_size > 100, name
    # Sections: cold open (intro), headlines, debate, quick hits, sign-off (outro); the failed segment is not there.
    assert newsletter.counts["segments"] == 5
    assert newsletter.counts["links"] == 14  # citations resolving to a URL plus the one inline link
    assert 80 <= newsletter.counts["words"] <= 130
    for name in FILES:
        assert "THIS FAILED SEGMENT" not in _read(show, name)
    assert not list(show.episode_dir(DAY).glob(".*.tmp"))  # atomic writes leave no temp files


def test_html_structure(show: Config) -> None:
    _render(show, audio=audio_info(725))
    html = _read(show, "newsletter.html")
    doc = etree.HTML(html.encode())
    assert doc.xpath("//h1")[0].text == "Open weights catch up"
    assert doc.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    assert not doc.xpath("//script") and not doc.xpath("//link[@rel='stylesheet']")
    # Citations: a superscript link per source number to that source's URL.
    assert doc.xpath("//sup/a[@href='https://a.example/qwen?x=1&y=2']/text()")[:1] == ["1"]
    assert doc.xpath("//sup/a[@href='https://c.example/mistral-prices']/text()") == ["3"]
    # The debate is boxed (its own bordered table) and carries its sources.
    box = doc.xpath("//table[contains(@class, 'bc-box')]")[0]
    assert "border:2px solid" in box.get("style")
    assert box.xpath(".//h2")[0].text == "Open vs closed"
    # Citations [1], [2], [1, 2] in the text, then the two-line sources list.
    assert box.xpath(".//a/@href") == ["https://d.example/open-case", "https://e.example/closed-case"] * 3
    # Listen link with the duration; footer with the owner and an unsubscribe placeholder.
    listen = doc.xpath("//a[contains(., 'Listen to the episode')]")[0]
    assert listen.get("href") == show.site.base_url + "2026-03-10/episode.mp3"
    assert "(12:05)" in "".join(listen.itertext())
    assert doc.xpath("//a[@href='mailto:editors@example.com']")
    assert doc.xpath("//a[text()='Unsubscribe']/@href") == ["{{unsubscribe_url}}"]
    # Email-safe: layout in inline styles on tables, about 640 px wide, images with alt text.
    card = doc.xpath("//table[contains(@class, 'bc-card')]")[0]
    assert "max-width:640px" in card.get("style")
    assert all(img.get("alt") for img in doc.xpath("//img"))
    style = doc.xpath("//style")[0].text
    assert "prefers-color-scheme: dark" in style and "width:" not in style.replace("max-width", "")


def test_markdown_and_text(show: Config) -> None:
    _render(show)
    md = _read(show, "newsletter.md")
    assert md.startswith("# Open weights catch up\n")
    assert "[[1]](https://a.example/qwen?x=1&y=2)[[2]](https://b.example/evals)" in md
    assert "**Qwen** released" in md and "*coding*" in md
    assert "> ## Open vs closed" in md  # the box, as a block quote
    txt = _read(show, "newsletter.txt")
    assert "benchmarks [1, 2]." in txt
    refs = txt.split("TOP HEADLINES", 1)[1].split("References:", 1)[1]
    assert "[1] Story number 1 (Hugging Face blog)\n    https://a.example/qwen?x=1&y=2" in refs
    assert "BOTH SIDES: Open vs closed" in txt
    assert max(len(line) for line in txt.splitlines() if "://" not in line) <= 72
    script = _read(show, "script.md")
    assert "## Open vs closed\n\nIs open source falling behind?" in script
    assert "## Research picks" not in script


HOSTILE_SCHEMES = re.compile(r"(?i)(javascript|vbscript|data)\s*:")


def test_hostile_text_and_links(show: Config) -> None:
    _render(show, hostile=True)
    html = _read(show, "newsletter.html")
    doc = etree.HTML(html.encode())
    assert not doc.xpath("//script") and not doc.xpath("//@onerror") and not doc.xpath("//img[@src='x']")
    assert doc.xpath("//title")[0].text == HOSTILE_TITLE
    assert doc.xpath("//h1")[0].text == HOSTILE_TITLE
    for href in doc.xpath("//@href"):
        assert href.startswith(("https://", "mailto:", "{{unsubscribe_url}}")), href
    # The hostile link texts survive as text; their targets do not.
    text = "".join(doc.itertext())
    assert "Click here or there or data or vb <script>alert(3)</script>" in text
    md = _read(show, "newsletter.md")
    for target in re.findall(r"\]\(([^)]*)\)", md):
        assert target.startswith(("https://", "{{unsubscribe_url}}")), target
    assert not HOSTILE_SCHEMES.search(" ".join(re.findall(r"\]\(([^)]*)\)", md)))
    assert "<script>" not in md and "\\<script\\>" in md  # inert in any Markdown renderer
    # Even a Markdown renderer that passes raw HTML through makes nothing active of newsletter.md.
    from markdown_it import MarkdownIt

    rendered = etree.HTML(MarkdownIt("commonmark", {"html": True}).render(md).encode())
    assert not rendered.xpath("//script | //img | //@onerror")
    hrefs = rendered.xpath("//@href")
    assert all(h.startswith(("https://", "mailto:", "%7B%7Bunsubscribe_url")) for h in hrefs), hrefs
    assert rendered.xpath("string(//h1)") == HOSTILE_TITLE
    txt = _read(show, "newsletter.txt")
    assert not HOSTILE_SCHEMES.search(txt.split("References:", 1)[1])
    assert "[4] </title><script>alert(1)</script> (Example News)\n    (no link)" in txt


@pytest.fixture
def speech_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The reference show voiced by the loopback stand-in of the OpenAI speech API (real audio stage, fast voice)."""
    from fake_openai_speech import fake_speech_server

    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    with fake_speech_server() as server:
        voice = {"backend": "openai", "voice": "alloy", "model": "tts-1"}
        yield load_config(write_show(tmp_path / "voiced", tts={"host": voice, "base_url": server.url,
                                                               "timeout": 3})), server


def test_audio_error_is_recorded_not_raised(speech_show) -> None:  # type: ignore[no-untyped-def]
    config, server = speech_show
    server.faults = ["400"] * 50  # the speech API refuses the voice: the real audio stage fails fast
    add_episode(config, make_episode(DAY), mp3=False)
    results = render_episode(config, open_store(config.state_dir), DAY)
    assert results[0].status == "done"
    assert results[1].stage == "audio" and results[1].status == "failed"
    first = next(s for s in make_episode(DAY).live_segments if s.script)
    assert results[1].failures[0]["subject"] == first.id
    assert "Invalid voice" in results[1].failures[0]["message"]
    assert (config.episode_dir(DAY) / "newsletter.html").exists()


def test_audio_result_updates_the_listen_duration(speech_show) -> None:  # type: ignore[no-untyped-def]
    config, _ = speech_show
    add_episode(config, make_episode(DAY), mp3=False)
    results = render_episode(config, open_store(config.state_dir), DAY)
    assert results[1].status == "done", results[1].failures
    duration = load_episode(config.episodes_dir, DAY).audio.duration  # type: ignore[union-attr]
    minutes, seconds = divmod(round(duration), 60)
    assert f"Listen to the episode ({minutes}:{seconds:02d})" in _read(config, "newsletter.html")


def test_audio_disabled_in_config(tmp_path: Path) -> None:
    config = load_config(write_show(tmp_path / "quiet", audio={"enabled": False}))
    add_episode(config, make_episode(DAY), mp3=False)
    results = render_episode(config, None, DAY)  # audio asked for, but the show turned it off
    assert results[1].status == "skipped" and "audio.enabled" in results[1].notes[0]
    assert "Listen" not in _read(config, "newsletter.html")


def test_show_templates_override_and_errors_name_the_file(tmp_path: Path) -> None:
    config = load_config(write_show(tmp_path / "own"))
    (tmp_path / "own" / "templates").mkdir()
    template = tmp_path / "own" / "templates" / "newsletter.txt.j2"

    def write(text: str, stamp: int) -> None:
        # Distinct mtimes: the cached environment reloads a template when its mtime changes.
        template.write_text(text)
        os.utime(template, (stamp, stamp))

    write("{{ issue.title }} / {% for s in issue.sections %}{{ s.title }};{% endfor %}\n", 1_000_000)
    _render(config)
    assert _read(config, "newsletter.txt") == "Open weights catch up / Top headlines;Open vs closed;Quick hits;"
    write("{% for s in issue.sections %}\n", 1_000_100)
    with pytest.raises(PublishError) as raised:
        render_episode(config, None, DAY, audio=False)
    assert "newsletter.txt.j2" in str(raised.value) and "syntax" in str(raised.value)
    write("{{ issue.no_such_thing }}", 1_000_200)
    with pytest.raises(PublishError, match="unknown name"):
        render_episode(config, None, DAY, audio=False)
