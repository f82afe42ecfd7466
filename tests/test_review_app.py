"""The review app over real HTTP (uvicorn in a thread on 127.0.0.1): pages, edits, conflicts and its defences."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import httpx
import pytest
import uvicorn

from pipeline.config import Config
from pipeline.errors import ReviewError
from pipeline.files import load_episode
from pipeline.review import workflow
from pipeline.review.app import create_app, serve
from test_review_workflow import DAY, make_episode, put

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@contextmanager
def running(config: Config, host: str = "127.0.0.1", token: str | None = None) -> Iterator[str]:
    """The review app served by uvicorn in a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    app = create_app(config, host=host, port=port, token=token)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


@pytest.fixture
def site(show: Config) -> Iterator[tuple[Config, str]]:
    put(show, make_episode(hostile=XSS))
    with running(show) as url:
        yield show, url


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([0-9a-f]+)"', html).group(1)


def post(url: str, base: str, data: dict[str, str], **headers: str) -> httpx.Response:
    return httpx.post(url, data=data, headers={"Origin": base, **headers}, follow_redirects=False)


def test_a_corrupt_episode_is_listed_with_its_error(show: Config) -> None:
    put(show, make_episode())
    broken = show.episode_dir(date(2026, 3, 9)) / "episode.json"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text("{")
    with running(show) as base:
        listing = httpx.get(base + "/")
    assert listing.status_code == 200 and "2026-03-10" in listing.text
    row = listing.text[listing.text.index("2026-03-09"):]
    assert "unreadable" in row[:600] and "not a valid episode" in row[:600]


def test_pages_and_xss_shown_as_text(site: tuple[Config, str]) -> None:
    _, base = site
    listing = httpx.get(base + "/")
    assert listing.status_code == 200 and "2026-03-10" in listing.text and "Open weights and a bill" in listing.text
    page = httpx.get(f"{base}/episodes/{DAY}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "onerror=alert" not in page.text.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text  # the payload, as text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["etag"] == '"v1"'
    # The sources panel shows excerpts; citations link to them; the open flag's sentence is marked.
    assert "scores 81.2 on MMLU" in page.text and 'href="#src-headlines-1"' in page.text
    assert '<mark class="flagged" data-flag="f1"' in page.text
    assert httpx.get(base + "/static/app.js").status_code == 200


def test_post_needs_csrf_and_origin(site: tuple[Config, str]) -> None:
    config, base = site
    token = csrf_of(httpx.get(f"{base}/episodes/{DAY}").text)
    url = f"{base}/episodes/{DAY}/segments/policy/edit"
    form = {"text": "Hijacked.", "version": "1"}
    assert post(url, base, form).status_code == 403  # no token
    assert post(url, base, {**form, "csrf": "0" * 64}).status_code == 403  # wrong token
    assert httpx.post(url, data={**form, "csrf": token}).status_code == 403  # no Origin, no Referer
    assert post(url, "http://evil.example", {**form, "csrf": token}).status_code == 403  # foreign origin
    assert load_episode(config.episodes_dir, DAY).segment("policy").text != "Hijacked."
    answer = post(url, base, {**form, "csrf": token})
    assert answer.status_code == 303 and answer.headers["location"].endswith("#seg-policy")
    assert load_episode(config.episodes_dir, DAY).segment("policy").text == "Hijacked."


def test_foreign_host_refused(site: tuple[Config, str]) -> None:
    _, base = site
    assert httpx.get(f"{base}/episodes/{DAY}", headers={"Host": "rebind.evil.example:80"}).status_code == 403
    port = base.rsplit(":", 1)[1]
    assert httpx.get(f"{base}/", headers={"Host": f"evil.example:{port}"}).status_code == 403
    assert httpx.get(f"{base}/", headers={"Host": f"localhost:{port}"}).status_code == 200


@pytest.mark.parametrize("path", ["/episodes/..%2F..%2Fetc", "/episodes/../../etc/passwd", "/episodes/2026-13-45",
                                  "/episodes/2026-03-10x", "/episodes/2026-03-10/newsletter/../../config.yaml",
                                  "/episodes/%2e%2e/audio/episode.mp3", "/episodes/2026-03-10/audio/..%2Fepisode.mp3"])
def test_bad_ids_are_404(site: tuple[Config, str], path: str) -> None:
    _, base = site
    with httpx.Client() as client:
        request = client.build_request("GET", base + path)
        request.url = httpx.URL(base + path)  # send the path as written, not normalized
        assert client.send(request).status_code == 404


@contextmanager
def as_editor(base: str, name: str) -> Iterator[httpx.Client]:
    """A client that chose ``name`` in the page's 'Editing as' (the cookie the app sets)."""
    with httpx.Client(headers={"Origin": base}, follow_redirects=False) as client:
        token = csrf_of(client.get(f"{base}/").text)
        chosen = client.post(f"{base}/whoami", data={"csrf": token, "editor": name, "back": "/"})
        assert chosen.status_code == 303, chosen.text
        yield client


def test_two_editors_conflict_shows_the_other_edit(tmp_path) -> None:  # noqa: ANN001
    from conftest import write_show
    from pipeline.config import load_config

    config = load_config(write_show(tmp_path / "editors", review={"editors": ["ana", "ben"]}))
    put(config, make_episode(hostile=XSS))
    with running(config) as base, as_editor(base, "ana") as ana, as_editor(base, "ben") as ben:
        token = csrf_of(ana.get(f"{base}/episodes/{DAY}").text)
        url = f"{base}/episodes/{DAY}/segments/headlines/edit"
        first = ana.post(url, data={"csrf": token, "version": "1", "text": "Ana's version [1].", "editor": "mallory"})
        assert first.status_code == 303
        second = ben.post(url, data={"csrf": token, "version": "1", "text": "Ben's version [1]."})
        assert second.status_code == 409
        assert "Ana&#39;s version [1]." in second.text and "Ben&#39;s version [1]." in second.text and "by ana" in second.text
        headlines = load_episode(config.episodes_dir, DAY).segment("headlines")
        assert headlines.text == "Ana's version [1]." and headlines.history[-1].by == "ana"  # never the typed name
        # If-Match works as the version too; missing both is 428.
        assert ben.post(url, data={"csrf": token, "text": "x"}).status_code == 428
        ok = ben.post(url, data={"csrf": token, "text": "Ben's version [1]."}, headers={"If-Match": '"v2"'})
        assert ok.status_code == 303
        # Someone who chose no name (or a name not in review.editors) cannot act.
        with httpx.Client(headers={"Origin": base}) as anon:
            refused = anon.post(url, data={"csrf": token, "version": "3", "text": "Anon [1]."})
            assert refused.status_code == 422 and "choose who you are" in refused.text
            assert anon.post(f"{base}/whoami", data={"csrf": token, "editor": "mallory"}).status_code == 400


def test_actions_through_http(site: tuple[Config, str]) -> None:
    config, base = site
    token = csrf_of(httpx.get(f"{base}/episodes/{DAY}").text)
    ep = f"{base}/episodes/{DAY}"
    assert post(f"{ep}/segments/policy/up", base, {"csrf": token, "version": "1"}).status_code == 303
    assert [s.id for s in load_episode(config.episodes_dir, DAY).segments] == ["cold-open", "policy", "headlines"]
    assert post(f"{ep}/segments/cold-open/drop", base, {"csrf": token, "version": "1"}).status_code == 303
    refused = post(f"{ep}/approve", base, {"csrf": token})
    assert refused.status_code == 422 and "grounding flag" in refused.text and "--override-flags" in refused.text
    assert post(f"{ep}/segments/headlines/flags/f1/resolve", base,
                {"csrf": token, "version": "3", "resolution": "accepted"}).status_code == 303
    assert post(f"{ep}/approve", base, {"csrf": token, "note": "fine"}).status_code == 303
    episode = load_episode(config.episodes_dir, DAY)
    assert episode.status == "approved" and episode.history[-1].by == "test-editor"
    assert "Episode approved." in httpx.get(f"{ep}?notice=approved").text


def test_broken_draft_md_is_reported_not_lost(site: tuple[Config, str]) -> None:
    config, base = site
    path = config.episode_dir(DAY) / "draft.md"
    broken = path.read_text().replace("\n### Script\n", "\n### Scrip\n", 1)
    path.write_text(broken)
    page = httpx.get(f"{base}/episodes/{DAY}")
    # Shown, not a lock-out: the error with its line, the last good episode, and the choice of which side wins.
    assert page.status_code == 200 and "draft.md line" in page.text and 'id="keep-app"' in page.text
    assert "Orca-70B is out under Apache 2.0" in page.text
    assert path.read_text() == broken


def test_a_page_load_never_takes_in_draft_md(site: tuple[Config, str]) -> None:
    config, base = site
    path = config.episode_dir(DAY) / "draft.md"
    stored = (config.episode_dir(DAY) / "episode.json").read_bytes()
    edited = path.read_text().replace("Orca-70B is out under Apache 2.0", "Orca-70B is out, openly licensed", 1)
    assert edited != path.read_text()
    path.write_text(edited)
    page = httpx.get(f"{base}/episodes/{DAY}")
    # A GET shows the stored episode and says draft.md has edits, with the button that takes them in.
    assert page.status_code == 200 and "draft.md has edits not taken in yet" in page.text
    assert "Take in draft.md&#39;s edits" in page.text and "Orca-70B is out under Apache 2.0" in page.text
    assert (config.episode_dir(DAY) / "episode.json").read_bytes() == stored and path.read_text() == edited
    taken = post(f"{base}/episodes/{DAY}/draft/file", base, {"csrf": csrf_of(page.text)})
    assert taken.status_code == 303
    assert "Orca-70B is out, openly licensed" in load_episode(config.episodes_dir, DAY).segment("headlines").text
    assert "draft.md has edits" not in httpx.get(f"{base}/episodes/{DAY}").text


def test_newsletter_preview_is_sandboxed(site: tuple[Config, str]) -> None:
    config, base = site
    (config.episode_dir(DAY) / "newsletter.html").write_text("<html><body><script>alert(1)</script>Hi</body></html>")
    answer = httpx.get(f"{base}/episodes/{DAY}/newsletter")
    assert answer.status_code == 200
    assert answer.headers["content-security-policy"].startswith("sandbox;")
    assert "script-src" not in answer.headers["content-security-policy"]  # default-src 'none' covers scripts
    assert 'sandbox=""' in httpx.get(f"{base}/episodes/{DAY}").text


def test_token_required_beyond_loopback(show: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(show.review.token_env, raising=False)
    with pytest.raises(ReviewError, match="without a token"):
        serve(show, host="0.0.0.0", port=0, announce=lambda url: None)
    put(show, make_episode())
    with running(show, token="t" * 24) as base:
        assert httpx.get(base + "/").status_code == 401
        assert httpx.get(base + "/", headers={"Authorization": "Bearer " + "t" * 24}).status_code == 200
        with httpx.Client() as client:
            first = client.get(base + "/?token=" + "t" * 24)
            assert first.status_code == 303 and "briefcast_review" in first.headers["set-cookie"]
            assert client.get(base + "/").status_code == 200  # the cookie carries it from now on


def test_serve_announces_a_url(show: Config) -> None:
    put(show, make_episode())
    seen: list[str] = []

    def run() -> None:
        serve(show, port=0, day=DAY, announce=seen.append)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)
    assert seen and re.match(r"^http://127\.0\.0\.1:\d+/episodes/2026-03-10$", seen[0])
    for _ in range(100):
        try:
            assert httpx.get(seen[0]).status_code == 200
            break
        except httpx.ConnectError:
            time.sleep(0.05)


def test_regenerate_refusal_is_immediate(site: tuple[Config, str]) -> None:
    config, base = site
    workflow.edit_segment(config, DAY, "policy", text="Mine.", base_version=1, editor="ana")
    token = csrf_of(httpx.get(f"{base}/episodes/{DAY}").text)
    answer = post(f"{base}/episodes/{DAY}/segments/policy/regenerate", base,
                  {"csrf": token, "version": "2", "feedback": "shorter"})
    assert answer.status_code == 422 and "edited by a person" in answer.text




def test_rerender_runs_as_a_job(show: Config) -> None:
    config = show.model_copy(update={"audio": show.audio.model_copy(update={"enabled": False})})
    put(config, make_episode())
    with running(config) as base:
        token = csrf_of(httpx.get(f"{base}/episodes/{DAY}").text)
        answer = post(f"{base}/episodes/{DAY}/render", base, {"csrf": token})
        assert answer.status_code == 303
        job = re.search(r"job=([0-9a-f]+)", answer.headers["location"]).group(1)
        deadline = time.monotonic() + 60
        while (state := httpx.get(f"{base}/jobs/{job}").json())["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert state["status"] == "done", state
        assert (config.episode_dir(DAY) / "newsletter.html").is_file()
        preview = httpx.get(f"{base}/episodes/{DAY}/newsletter")
        assert preview.status_code == 200 and "Orca-70B" in preview.text
        assert httpx.get(f"{base}/jobs/nope").status_code == 404


def test_highlight_marks_cited_flagged_sentences_safely() -> None:
    from pipeline.models import Flag
    from pipeline.review.app import _highlight

    segment = make_episode().segment("headlines")
    segment.text = 'It scores 81.2 on MMLU [1]. A "quote" <b>bold</b> [9].'
    segment.flags = [Flag(id='f"1', kind="unsupported_number", sentence="It scores 81.2 on MMLU [1].",
                          message='cites [2] "x"'),
                     Flag(id="f2", kind="unknown_citation", sentence='A "quote" <b>bold</b> [9].', message="[9]?")]
    html = str(_highlight(segment.text, segment, "text"))
    assert html == ('<p><mark class="flagged" data-flag="f&#34;1">It scores 81.2 on MMLU <sup class="cite">['
                    '<a href="#src-headlines-1">1</a>]</sup>.</mark> <mark class="flagged" data-flag="f2">A &#34;quote&#34; '
                    '&lt;b&gt;bold&lt;/b&gt; <sup class="cite">[<span class="missing" title="this segment has no source '
                    '[9]">9</span>]</sup>.</mark></p>')
