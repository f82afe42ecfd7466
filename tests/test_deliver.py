"""Delivery: the newsletter by SMTP, Buttondown and listmonk, the files to a folder and to S3, exactly once.

Every server is real and on 127.0.0.1: aiosmtpd, moto's standalone S3 server, HTTP servers answering as the
mailing services do. Faults (refusals, greylisting, dropped connections, 429/5xx, timeouts, kill -9) are theirs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import write_show
from delivery_servers import S3Server, SMTPServer, ServiceServer, self_signed, versions
from pipeline.cli import app
from pipeline.config import Config, load_config
from pipeline.deliver import deliver, last_delivery
from pipeline.errors import ConfigError, DeliveryError
from pipeline.publish import release, render_newsletter_files
from pipeline.store import open_store
from publish_support import add_episode, audio_info, make_episode

DAY = date(2026, 3, 10)
PROJECT = Path(__file__).resolve().parent.parent
SMTP_PASSWORD = "pw-Zq8vT1-smtp-secret"
API_KEY = "bd-key-7f3a9c1e5b-secret"


def smtp_target(port: int, **extra: Any) -> dict[str, Any]:
    return {"type": "smtp", "host": "127.0.0.1", "port": port, "security": "none",
            "sender": "The AI Daily Brief <brief@example.com>", "reply_to": "desk@example.com",
            "recipients": "subscribers.txt", "unsubscribe_url": "https://example.com/unsubscribe?email={email}",
            "retry_delays": [0.05, 0.05], "timeout": 5, **extra}


def make_show(tmp_path: Path, targets: list[dict[str, Any]], *, recipients: list[str] | None = None,
              status: str = "published", **sections: Any) -> Config:
    """A show with one hand-built episode (newsletter rendered, released when published) and these targets."""
    config = load_config(write_show(tmp_path / "show", deliver=targets, audio={"enabled": False}, **sections))
    if recipients is not None:
        (config.root / "subscribers.txt").write_text("\n".join(recipients) + "\n")
    episode = make_episode(DAY, status=status, audio=audio_info())
    add_episode(config, episode)
    render_newsletter_files(config, episode)
    release(config)
    return config


def ledger(config: Config) -> list[dict[str, Any]]:
    store = open_store(config.state_dir)
    try:
        return [dict(row) for row in store.query("SELECT * FROM deliveries ORDER BY target, item")]
    finally:
        store.close()


# -- config ------------------------------------------------------------------------------------------------------


def test_config_names_the_key_and_the_fix(tmp_path: Path) -> None:
    cases = [
        ([{"type": "smtpp", "host": "x", "sender": "a@b.c"}], "deliver[0]", "give type: smtp"),
        ([{"type": "smtp", "host": "x", "sender": "a@b.c", "pasword_env": "P"}], "deliver[0].smtp.pasword_env",
         "check its spelling"),
        ([{"type": "s3", "bucket": "b"}, {"type": "s3", "bucket": "c"}], "deliver", "its own name"),
        ([{"type": "listmonk", "url": "lists.example.com", "lists": [1]}], "deliver[0].listmonk.url", "https://"),
    ]
    for targets, where, fix in cases:
        with pytest.raises(ConfigError) as caught:
            load_config(write_show(tmp_path / "bad", deliver=targets))
        assert where in str(caught.value) and fix in str(caught.value)


# -- SMTP --------------------------------------------------------------------------------------------------------


def test_smtp_one_multipart_message_per_recipient_over_starttls_once(tmp_path: Path, monkeypatch) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SMTP_USER", "brief")
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
    with SMTPServer(tls=(cert, key), login=("brief", SMTP_PASSWORD)) as server:
        target = smtp_target(server.port, security="starttls", ca_file=str(cert), username_env="SMTP_USER",
                             password_env="SMTP_PASSWORD")
        config = make_show(tmp_path, [target], recipients=[
            "ada@example.com", "Grace Hopper <grace@example.org>", "# a comment", "", "ADA@example.com",
            "not an address", "linus@example.net"])
        result = deliver(config, DAY)
        assert result.counts["messages_sent"] == 3
        assert [f["kind"] for f in result.failures] == ["recipient"]  # the bad line, named with its number
        assert "subscribers.txt line 6" in result.failures[0]["message"]
        assert sorted(r.rcpt_tos[0] for r in server.handler.received) == [
            "ada@example.com", "grace@example.org", "linus@example.net"]

        message = server.handler.to("grace@example.org")[0]
        assert message["To"] == "Grace Hopper <grace@example.org>"
        assert message["From"] == "The AI Daily Brief <brief@example.com>"
        assert message["Reply-To"] == "desk@example.com"
        assert message["Subject"] == "Open weights catch up"
        assert message["List-Unsubscribe"] == ("<https://example.com/unsubscribe?email=grace@example.org>, "
                                               "<mailto:brief@example.com?subject=unsubscribe>")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Message-ID"].endswith("@example.com>") and message["List-Id"]
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "Qwen" in text and "<table" in html and "Qwen" in html
        assert "https://example.com/unsubscribe?email=grace@example.org" in html
        assert "{{unsubscribe_url}}" not in html + text

        again = deliver(config, DAY)  # a second delivery (a re-run, a second publish) sends nothing
        assert len(server.handler.received) == 3 and again.counts["messages_already_sent"] == 3
        assert not again.counts.get("messages_sent")
        html_file = config.episode_dir(DAY) / "newsletter.html"
        html_file.write_text(html_file.read_text().replace("Qwen", "Qwen (corrected)"))
        changed = deliver(config, DAY)  # a corrected newsletter is not mailed again: the editor is told
        assert len(server.handler.received) == 3
        assert any("changed after 3 recipient(s) got it" in note for note in changed.notes)

    saved = json.dumps(ledger(config)) + (config.state_dir / "deliveries" / f"{DAY}.json").read_text()
    assert SMTP_PASSWORD not in saved and "ada@example.com" in saved


def test_smtp_implicit_tls_and_an_untrusted_certificate(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with SMTPServer(tls=(cert, key), implicit_tls=True) as server:
        config = make_show(tmp_path, [smtp_target(server.port, security="tls")], recipients=["a@example.com"])
        refused = deliver(config, DAY)  # the server's certificate is signed by no CA this machine trusts
        assert "TLS with 127.0.0.1" in refused.failures[0]["message"] and "certificate" in refused.failures[0]["message"]
        config.deliver[0].ca_file = str(cert)
        assert deliver(config, DAY).status == "done"
        assert [r.rcpt_tos for r in server.handler.received] == [["a@example.com"]]
    with SMTPServer() as plain:  # no TLS offered: STARTTLS asked of it is refused by name, nothing sent in clear
        config.deliver[0].port, config.deliver[0].security = plain.port, "starttls"
        (config.root / "subscribers.txt").write_text("a@example.com\nnew@example.com\n")
        result = deliver(config, DAY)
        assert "does not offer STARTTLS" in result.failures[0]["message"] and plain.handler.received == []


def test_smtp_refusal_greylisting_and_a_dropped_connection(tmp_path: Path) -> None:
    with SMTPServer() as server:
        server.handler.refuse = {"gone@example.com"}
        server.handler.greylist = True  # every address is refused once with 451, then accepted
        server.handler.drop_at = {3}  # the third DATA closes the connection without an answer
        recipients = [f"reader{i}@example.com" for i in range(5)] + ["gone@example.com"]
        config = make_show(tmp_path, [smtp_target(server.port)], recipients=recipients)
        result = deliver(config, DAY)
        got = sorted(r.rcpt_tos[0] for r in server.handler.received)
        assert got == sorted(recipients[:5])  # each accepted address exactly once, after greylisting and the drop
        assert result.counts["messages_sent"] == 5 and result.counts["messages_refused"] == 1
        assert [f["subject"] for f in result.failures] == ["smtp: gone@example.com"]
        assert "550" in result.failures[0]["message"] and "recipients file" in result.failures[0]["message"]
        assert result.status == "partial"
        rows = {row["item"]: row for row in ledger(config)}
        assert rows["gone@example.com"]["status"] == "failed" and rows["reader0@example.com"]["status"] == "sent"


def test_smtp_reads_a_csv_export_and_never_mails_the_suppressed(tmp_path: Path) -> None:
    with SMTPServer() as server:
        config = make_show(tmp_path, [smtp_target(server.port, recipients="signups.csv", suppress="unsubscribed.txt")])
        (config.root / "signups.csv").write_text("name,email,signed_up\nAda Lovelace,ada@example.com,2026-01-02\n"
                                                 ",bob@example.com,2026-01-03\nCarol,carol@example.com,2026-02-01\n")
        (config.root / "unsubscribed.txt").write_text("Bob <BOB@example.com>\n")
        result = deliver(config, DAY)
        assert sorted(r.rcpt_tos[0] for r in server.handler.received) == ["ada@example.com", "carol@example.com"]
        assert server.handler.to("ada@example.com")[0]["To"] == "Ada Lovelace <ada@example.com>"
        assert result.counts["recipients_suppressed"] == 1 and result.status == "done"
        (config.root / "signups.csv").write_text("who,when\nada,2026\n")
        broken = deliver(config, DAY)
        assert "has no email column" in broken.failures[0]["message"] and "name the column 'email'" in broken.failures[0]["message"]


def test_smtp_still_greylisted_after_the_retries_waits_for_the_next_run(tmp_path: Path) -> None:
    with SMTPServer() as server:
        server.handler.greylist = True
        config = make_show(tmp_path, [smtp_target(server.port, retry_delays=[])], recipients=["a@example.com"])
        first = deliver(config, DAY)
        assert server.handler.received == [] and first.counts["messages_deferred"] == 1
        assert first.failures[0]["kind"] == "deferred" and "451" in first.failures[0]["message"]
        assert "sent again by the next run: briefcast deliver 2026-03-10" in first.failures[0]["message"]
        second = deliver(config, DAY)
        assert [r.rcpt_tos for r in server.handler.received] == [["a@example.com"]] and second.status == "done"


def test_smtp_server_down_then_up_sends_everyone_once(tmp_path: Path) -> None:
    with SMTPServer() as server:
        port = server.port
    config = make_show(tmp_path, [smtp_target(port)], recipients=["a@example.com", "b@example.com"])
    down = deliver(config, DAY)
    assert down.status == "failed"
    assert f"cannot reach the mail server at 127.0.0.1:{port}" in down.failures[0]["message"]
    assert "fix: check deliver[].host and port" in down.failures[0]["message"]
    assert last_delivery(config, DAY).status == "failed"  # kept for briefcast publish/run/status to show
    status = CliRunner().invoke(app, ["status", str(DAY), "--config", str(config.path), "--json"])
    assert "delivery: 1 problem(s), briefcast deliver 2026-03-10" in status.output
    with SMTPServer() as server:
        config.deliver[0].port = server.port
        config.deliver[0].per_connection = 1  # a fresh session per message, as capped servers require
        up = deliver(config, DAY)
        assert sorted(r.rcpt_tos[0] for r in server.handler.received) == ["a@example.com", "b@example.com"]
        assert up.status == "done" and server.handler.greetings == 2


def test_test_copy_goes_to_one_editor_only_before_release(tmp_path: Path) -> None:
    with SMTPServer() as server:
        config = make_show(tmp_path, [smtp_target(server.port)], recipients=["reader@example.com"],
                           status="approved")
        with pytest.raises(DeliveryError, match="not published"):
            deliver(config, DAY)
        outcome = CliRunner().invoke(app, ["deliver", str(DAY), "--config", str(config.path),
                                           "--test", "editor@example.com"])
        assert outcome.exit_code == 0, outcome.output
        assert [r.rcpt_tos for r in server.handler.received] == [["editor@example.com"]]
        assert server.handler.received[0].message["Subject"] == "[Test] Open weights catch up"
        assert ledger(config) == []  # a test copy is not a delivery: the real one still goes to everyone
        bad = CliRunner().invoke(app, ["deliver", str(DAY), "--config", str(config.path), "--test", "a, b@c.d"])
        assert bad.exit_code == 1 and "--test needs one email address" in bad.output


# -- hosting -----------------------------------------------------------------------------------------------------


def s3_target(url: str, bucket: str = "brief", **extra: Any) -> dict[str, Any]:
    return {"type": "s3", "bucket": bucket, "prefix": "show", "endpoint_url": url, **extra}


@pytest.fixture(scope="module")
def _moto() -> Any:
    with S3Server() as server:
        yield server


@pytest.fixture
def s3(_moto: S3Server, monkeypatch) -> S3Server:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3-secret-9d8c7b6a")
    _moto.reset()
    return _moto


def test_s3_right_types_and_cache_headers_only_changes_feed_last(tmp_path: Path, s3: S3Server) -> None:
    client = s3.bucket("brief")
    config = make_show(tmp_path, [s3_target(s3.url)])
    result = deliver(config, DAY)
    assert result.status == "done", result.failures
    keys = s3.puts("brief")
    assert versions(client, "brief") == sorted(keys)  # the bucket holds one version per PUT it answered
    assert sorted(keys) == sorted(f"show/{k}" for k in [
        "2026-03-10/episode.mp3", "2026-03-10/transcript.vtt", "2026-03-10/chapters.json", "2026-03-10/index.html",
        "artwork.png", "index.html", "newsletter.xml", "feed.xml"])
    assert keys[-1] == "show/feed.xml" and keys[0] == "show/2026-03-10/episode.mp3"
    expect = {"2026-03-10/episode.mp3": ("audio/mpeg", "public, max-age=2592000"),
              "2026-03-10/index.html": ("text/html; charset=utf-8", "public, max-age=600"),
              "artwork.png": ("image/png", "public, max-age=2592000"),
              "2026-03-10/transcript.vtt": ("text/vtt; charset=utf-8", "public, max-age=2592000"),
              "2026-03-10/chapters.json": ("application/json+chapters", "public, max-age=2592000"),
              "newsletter.xml": ("application/atom+xml; charset=utf-8", "public, max-age=300"),
              "feed.xml": ("application/rss+xml; charset=utf-8", "public, max-age=300")}
    for key, (ctype, cache) in expect.items():
        head = client.head_object(Bucket="brief", Key=f"show/{key}")
        assert (head["ContentType"], head["CacheControl"]) == (ctype, cache)
    body = client.get_object(Bucket="brief", Key="show/2026-03-10/episode.mp3")["Body"].read()
    assert body == (config.episode_dir(DAY) / "episode.mp3").read_bytes()
    assert not any("episode.json" in key or "draft.md" in key or "run.json" in key for key in keys)

    assert deliver(config, DAY).counts.get("objects_uploaded", 0) == 0  # nothing changed: nothing sent
    # a second episode is published: its files, the archive and the feeds change; the first episode's do not
    second = make_episode(date(2026, 3, 11), status="published", title="Second day", audio=audio_info())
    add_episode(config, second)
    render_newsletter_files(config, second)
    release(config)
    deliver(config, date(2026, 3, 11))
    later = s3.puts("brief")[len(keys):]
    assert later[-1] == "show/feed.xml"
    assert "show/2026-03-10/episode.mp3" not in later and "show/2026-03-11/episode.mp3" in later
    assert {"show/index.html", "show/newsletter.xml"} <= set(later)

    # the first episode is unpublished: the next delivery drops it from the feed, then takes its files down
    path = config.episode_dir(DAY) / "episode.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "status": "rejected"}))
    release(config)
    s3.log.seen.clear()
    result = deliver(config, date(2026, 3, 11))
    assert result.counts["objects_removed"] == 4, result.failures
    left = [item["Key"] for item in client.list_objects_v2(Bucket="brief")["Contents"]]
    assert not any(key.startswith("show/2026-03-10/") for key in left) and "show/2026-03-11/episode.mp3" in left
    order = [(method, path) for method, path, _ in s3.log.seen if method in ("PUT", "DELETE")]
    assert order.index(("PUT", "/brief/show/feed.xml")) < order.index(("DELETE", "/brief/show/2026-03-10/episode.mp3"))


def test_failed_upload_holds_the_feed_and_the_newsletter_then_resumes(tmp_path: Path, s3: S3Server) -> None:
    hooks: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            hooks.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    webhook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    try:
        with SMTPServer() as server:
            config = make_show(tmp_path, [s3_target(s3.url, bucket="not-yet"), smtp_target(server.port)],
                               recipients=["reader@example.com"],
                               notify={"webhooks": [{"url": f"http://127.0.0.1:{webhook.server_address[1]}/hook",
                                                     "format": "json"}]})
            first = deliver(config, DAY)
            messages = " ".join(f["message"] for f in first.failures)
            assert "NoSuchBucket" in messages and "create the bucket" in messages
            assert "stopped after 3 failures in a row" in messages
            assert any(f["kind"] == "held" and "not fully online" in f["message"] for f in first.failures)
            assert server.handler.received == []  # no newsletter pointing at a page that is not there
            assert hooks and hooks[0]["event"] == "problem" and "NoSuchBucket" in hooks[0]["text"]
            assert "s3-secret-9d8c7b6a" not in json.dumps(hooks) + json.dumps(first.model_dump())

            client = s3.bucket("not-yet")
            second = deliver(config, DAY)
            assert second.status == "done", second.failures
            assert s3.puts("not-yet")[-1] == "show/feed.xml" and len(versions(client, "not-yet")) == 8
            assert [r.rcpt_tos for r in server.handler.received] == [["reader@example.com"]]
    finally:
        webhook.shutdown()
        webhook.server_close()


def test_folder_target_copies_the_public_files(tmp_path: Path) -> None:
    config = make_show(tmp_path, [{"type": "folder", "path": str(tmp_path / "www")}, {"type": "folder", "name": "local"}])
    result = deliver(config, DAY)
    assert result.status == "done"
    www = tmp_path / "www"
    assert (www / "feed.xml").read_bytes() == (config.episodes_dir / "feed.xml").read_bytes()
    assert (www / "2026-03-10" / "episode.mp3").is_file() and not (www / "2026-03-10" / "episode.json").exists()
    assert oct((www / "feed.xml").stat().st_mode & 0o777) == "0o644"
    assert result.counts["objects_uploaded"] == 16  # 8 files to each target; the in-place one writes nothing
    with pytest.raises(DeliveryError, match="no email target to send a test copy"):
        deliver(config, DAY, test_address="editor@example.com")


# -- mailing services --------------------------------------------------------------------------------------------


def test_buttondown_draft_then_send_through_faults_without_duplicates(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BUTTONDOWN_API_KEY", API_KEY)
    with ServiceServer("buttondown", API_KEY) as server:
        service = server.service
        # create: 429, then a 503 (did it get through? look first), then a timeout after the server made it
        service.faults = {"POST /v1/emails": [429, 503, "hang"], "PATCH /v1/emails": [500]}
        target = {"type": "buttondown", "base_url": server.url + "/v1", "mode": "send", "timeout": 0.5}
        config = make_show(tmp_path, [target])
        result = deliver(config, DAY)
        assert result.status == "done", result.failures
        assert len(service.issues) == 1  # one email, though three create attempts went wrong
        email = next(iter(service.issues.values()))
        assert email["status"] == "about_to_send" and email["subject"] == "Open weights catch up"
        assert "{{ unsubscribe_url }}" in email["body"] and "Qwen" in email["body"]
        assert email["metadata"] == {"briefcast": "briefcast:the-ai-daily-brief:2026-03-10"}
        before = len(service.requests)
        deliver(config, DAY)  # a second publish: nothing created, nothing sent again
        assert [m for m, p, _ in service.requests[before:] if m != "GET"] == []


def test_buttondown_lost_answer_and_a_crash_are_settled_by_lookup(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BUTTONDOWN_API_KEY", API_KEY)
    with ServiceServer("buttondown", API_KEY) as server:
        server.service.faults = {"POST /v1/emails": ["lost"]}
        config = make_show(tmp_path, [{"type": "buttondown", "base_url": server.url + "/v1"}])
        assert deliver(config, DAY).status == "done"
        assert len(server.service.issues) == 1 and next(iter(server.service.issues.values()))["status"] == "draft"
        # a crash between create and record leaves the row 'sending': the next run finds the draft
        store = open_store(config.state_dir)
        store.query("UPDATE deliveries SET status = 'sending', remote_id = NULL")
        store.close()
        again = deliver(config, DAY)
        assert len(server.service.issues) == 1 and any("found the draft" in n for n in again.notes)


def test_buttondown_refuses_a_duplicate_subject_briefcast_did_not_make(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BUTTONDOWN_API_KEY", API_KEY)
    with ServiceServer("buttondown", API_KEY) as server:
        server.service.issues["em-hand"] = {"id": "em-hand", "status": "draft", "subject": "Open weights catch up",
                                            "body": "typed in Buttondown", "metadata": {}}
        config = make_show(tmp_path, [{"type": "buttondown", "base_url": server.url + "/v1", "mode": "send"}])
        result = deliver(config, DAY)
        assert result.status == "failed" and "email_duplicate" not in result.failures[0]["message"]
        assert "already exists" in result.failures[0]["message"] and "did not make" in result.failures[0]["message"]
        assert server.service.issues["em-hand"]["status"] == "draft"  # the editor's own email is left alone


def test_buttondown_bad_key_is_reported_without_the_key(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BUTTONDOWN_API_KEY", API_KEY)
    with ServiceServer("buttondown", "another-key") as server:
        config = make_show(tmp_path, [{"type": "buttondown", "base_url": server.url + "/v1"}])
        result = deliver(config, DAY)
    assert result.status == "failed"
    message = result.failures[0]["message"]
    assert "HTTP 401" in message and "[$BUTTONDOWN_API_KEY]" in message and API_KEY not in message
    stored = json.dumps(ledger(config)) + (config.state_dir / "deliveries" / f"{DAY}.json").read_text()
    assert API_KEY not in stored
    monkeypatch.delenv("BUTTONDOWN_API_KEY")
    unset = deliver(config, DAY)
    assert "BUTTONDOWN_API_KEY is empty" in unset.failures[0]["message"]


def test_buttondown_test_copy(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BUTTONDOWN_API_KEY", API_KEY)
    with ServiceServer("buttondown", API_KEY) as server:
        config = make_show(tmp_path, [{"type": "buttondown", "base_url": server.url + "/v1", "mode": "send"}],
                           status="approved")
        result = deliver(config, DAY, test_address="editor@example.com")
        assert result.status == "done", result.failures
        assert server.service.tests == [("em-1", ["editor@example.com"])]
        assert next(iter(server.service.issues.values()))["status"] == "draft"  # not sent to the list


def test_listmonk_campaign_draft_test_and_start(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LISTMONK_API_USER", "briefcast")
    monkeypatch.setenv("LISTMONK_API_TOKEN", "lm-token-4e5f6a7b")
    with ServiceServer("listmonk", "briefcast:lm-token-4e5f6a7b") as server:
        service = server.service
        target = {"type": "listmonk", "url": server.url, "lists": [3], "mode": "send", "template_id": 2}
        config = make_show(tmp_path, [target], status="approved")
        bad = deliver(config, DAY, test_address="someone@elsewhere.net")
        assert "add someone@elsewhere.net to a list" in bad.failures[0]["message"]
        assert deliver(config, DAY, test_address="editor@example.com").status == "done"
        assert len(service.issues) == 1 and service.tests[-1] == ("1", ["editor@example.com"])

        episode_path = config.episode_dir(DAY) / "episode.json"
        episode = json.loads(episode_path.read_text())
        episode["status"] = "published"
        episode_path.write_text(json.dumps(episode))
        service.faults = {"PUT /api/campaigns/1/status": [503, 429]}
        result = deliver(config, DAY)
        assert result.status == "done", result.failures
        campaign = service.issues["1"]
        assert campaign["status"] == "running" and campaign["lists"] == [3] and campaign["template_id"] == 2
        assert "{{ UnsubscribeURL }}" in campaign["body"] and campaign["content_type"] == "html"
        assert len(service.issues) == 1  # the test's draft became the issue: no second campaign
        assert deliver(config, DAY).counts["issues_already_sent"] == 1


# -- exactly once across kill -9 -----------------------------------------------------------------------------------

CHILD = """
import os, signal, sys
from datetime import date
after = int(os.environ.get("KILL_AFTER_UPLOADS", "0"))
if after:
    import pipeline.deliver.s3 as s3
    real, done = s3.S3Hosting.upload, []
    def upload(self, *args, **kwargs):
        answer = real(self, *args, **kwargs)
        done.append(1)
        if len(done) == after:  # the object is in the bucket; its row is not yet 'sent'
            os.kill(os.getpid(), signal.SIGKILL)
        return answer
    s3.S3Hosting.upload = upload
from pipeline.config import load_config
from pipeline.deliver import deliver
result = deliver(load_config(sys.argv[1]), date.fromisoformat(sys.argv[2]))
print(result.status)
"""


def _child(config: Config, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(config.path), DAY.isoformat()], cwd=PROJECT,
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_kill_9_mid_upload_then_rerun_uploads_every_object_once_feed_last(tmp_path: Path, s3: S3Server) -> None:
    client = s3.bucket("brief")
    config = make_show(tmp_path, [s3_target(s3.url)])
    child = _child(config, {"KILL_AFTER_UPLOADS": "3"})
    child.wait(timeout=60)
    assert child.returncode == -9, child.stderr.read()
    assert len(s3.puts("brief")) == 3
    result = deliver(config, DAY)
    assert result.status == "done" and result.counts["objects_confirmed"] == 1  # found in the bucket, not resent
    puts = s3.puts("brief")
    assert len(puts) == len(set(puts)) == 8 and puts[-1] == "show/feed.xml"
    assert versions(client, "brief") == sorted(puts)


def test_kill_9_mid_newsletter_then_rerun_every_recipient_gets_one(tmp_path: Path, s3: S3Server) -> None:
    recipients = [f"reader{i}@example.com" for i in range(8)]
    s3.bucket("brief")
    with SMTPServer() as server:
        config = make_show(tmp_path, [s3_target(s3.url), smtp_target(server.port)], recipients=recipients)
        child = _child(config)
        # kill -9 while the 5th message is in flight (the server has its envelope, not yet its content)
        server.handler.on_rcpt = lambda number: number == 5 and os.kill(child.pid, 9) is None
        child.wait(timeout=60)
        assert child.returncode == -9, child.stderr.read()
        assert len(server.handler.received) == 4
        server.handler.on_rcpt = None
        result = deliver(config, DAY)
        assert result.counts["messages_sent"] == 4 and result.counts["messages_already_sent"] == 4
        assert any("interrupted by an earlier crash" in note for note in result.notes)
        assert sorted(r.rcpt_tos[0] for r in server.handler.received) == recipients  # each exactly once
    puts = s3.puts("brief")  # the files went up before the newsletter, in the killed run, and only then
    assert len(puts) == len(set(puts)) == 8 and puts[-1] == "show/feed.xml" and result.counts["objects_unchanged"] == 8


# -- wiring --------------------------------------------------------------------------------------------------------


def test_publish_delivers_and_the_single_show_path_needs_no_boto3(tmp_path: Path) -> None:
    with SMTPServer() as server:
        config = make_show(tmp_path, [smtp_target(server.port), {"type": "folder", "path": "www"}],
                           recipients=["reader@example.com"], status="drafted")
        runner = CliRunner()
        for args in (["approve", str(DAY)], ["publish", str(DAY)], ["publish", str(DAY)]):
            outcome = runner.invoke(app, [*args, "--config", str(config.path)])
            assert outcome.exit_code == 0, outcome.output
        assert "deliver: done" in outcome.output
        assert [r.rcpt_tos for r in server.handler.received] == [["reader@example.com"]]  # published twice, sent once
        assert (config.root / "www" / "feed.xml").is_file()
    probe = ("import sys; from datetime import date; from pipeline.config import load_config; "
             "from pipeline.deliver import deliver; r = deliver(load_config(sys.argv[1]), date(2026, 3, 10)); "
             "print(r.status, 'boto3' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe, str(config.path)], cwd=PROJECT, capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.split()[-1] == "False", out.stderr


def test_missing_boto3_names_the_extra(tmp_path: Path, s3: S3Server) -> None:
    config = make_show(tmp_path, [s3_target(s3.url)])
    probe = ("import sys; sys.modules['boto3'] = None; from datetime import date; "
             "from pipeline.config import load_config; from pipeline.deliver import deliver; "
             "r = deliver(load_config(sys.argv[1]), date(2026, 3, 10)); print(r.failures[0]['message'])")
    out = subprocess.run([sys.executable, "-c", probe, str(config.path)], cwd=PROJECT, capture_output=True,
                         text=True, timeout=60, env={**os.environ})
    assert 'the s3 target needs boto3' in out.stdout and 'pip install ".[s3]"' in out.stdout, out.stderr


def test_run_without_review_publishes_delivers_and_resumes(tmp_path: Path) -> None:
    from pipeline.run import DayRun

    with SMTPServer() as server:
        port = server.port
    config = make_show(tmp_path, [smtp_target(port)], recipients=["reader@example.com"], status="drafted",
                       review={"required": False})
    store = open_store(config.state_dir)
    try:
        results = DayRun(config, store, DAY, audio=False, forced=set()).publish()
        assert [r.stage for r in results] == ["publish", "deliver"] and results[1].status == "failed"
        with SMTPServer() as server:
            config.deliver[0].port = server.port
            again = DayRun(config, store, DAY, audio=False, forced=set()).publish()
            assert [(r.stage, r.status) for r in again] == [("publish", "skipped"), ("deliver", "done")]
            assert [r.rcpt_tos for r in server.handler.received] == [["reader@example.com"]]
    finally:
        store.close()


def test_scrubber_hides_secrets_as_sent_on_the_wire_but_not_user_names(monkeypatch) -> None:
    import base64

    from pipeline.deliver.base import Scrubber

    monkeypatch.setenv("LM_USER", "briefcast")
    monkeypatch.setenv("LM_TOKEN", "tok-123456")
    scrub = Scrubber(["LM_TOKEN"], ["LM_USER"])
    wire = base64.b64encode(b"briefcast:tok-123456").decode()
    plain = base64.b64encode(b"\0briefcast\0tok-123456").decode()
    text = scrub(f"token briefcast:tok-123456 / Basic {wire} / AUTH PLAIN {plain} / {base64.b64encode(b'tok-123456').decode()}")
    assert "tok-123456" not in text and wire not in text and plain not in text
    assert text.count("[$LM_TOKEN]") == 2 and text.count("[credentials]") == 2 and "briefcast" in text


def test_review_app_publish_delivers_and_says_how_it_went(tmp_path: Path) -> None:
    import re
    import time

    import httpx

    from pipeline.review import workflow
    from test_review_app import csrf_of, post, running

    with SMTPServer() as server:
        config = make_show(tmp_path, [smtp_target(server.port)], recipients=["reader@example.com"], status="drafted")
        workflow.approve(config, DAY, editor="ana")
        with running(config) as base:
            token = csrf_of(httpx.get(f"{base}/episodes/{DAY}").text)
            answer = post(f"{base}/episodes/{DAY}/publish", base, {"csrf": token})
            assert answer.status_code == 303, answer.text
            job = re.search(r"job=([0-9a-f]+)", answer.headers["location"]).group(1)
            deadline = time.monotonic() + 60
            while (state := httpx.get(f"{base}/jobs/{job}").json())["status"] == "running" and time.monotonic() < deadline:
                time.sleep(0.1)
        assert state["status"] == "done", state
        assert "delivery done: smtp: 1 of 1 recipients have the issue" in state["message"]
        assert [r.rcpt_tos for r in server.handler.received] == [["reader@example.com"]]
