"""Delivery cost: what the exactly-once ledger adds to sending a newsletter and uploading the published files.

Against real servers on 127.0.0.1 (aiosmtpd, moto's S3 server), both sides in the same run:
- SMTP, N recipients over one connection: briefcast's smtp target (a message built per recipient, two ledger
  commits per message) vs a bare smtplib loop sending the same messages with no ledger.
- S3, the files of E published episodes: briefcast's s3 target (sha256 per file, a ledger row per object,
  feed.xml last) vs a bare boto3 put_object loop; then a re-delivery with nothing changed (no PUT at all).

    python -m bench.deliver            # N=1000 recipients, E=20 episodes
    python -m bench.deliver 3000 40
"""

from __future__ import annotations

import os
import shutil
import smtplib
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests"))


def _missing() -> str | None:
    for module in ("aiosmtpd", "moto", "boto3"):
        try:
            __import__(module)
        except ImportError:
            return module
    return None


def run(recipients: int = 1000, episodes: int = 20) -> list[dict[str, Any]]:
    missing = _missing()
    if missing:
        return [{"figure": f"skipped: {missing} is not installed (pip install -e '.[dev]')", "briefcast": None,
                 "baseline": None, "ratio": None, "target": ""}]
    from delivery_servers import S3Server, SMTPServer
    from publish_support import add_episode, audio_info, make_episode

    from pipeline.config import load_config
    from pipeline.deliver import deliver, load_newsletter
    from pipeline.deliver.base import Job, Ledger, Scrubber
    from pipeline.deliver.smtp import Recipient, SmtpBackend
    from pipeline.files import load_episode
    from pipeline.publish import release, render_newsletter_files
    from conftest import write_show

    rows: list[dict[str, Any]] = []
    folder = Path(tempfile.mkdtemp(prefix="bench-deliver-"))
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIABENCH")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench-secret")
    try:
        with SMTPServer() as smtp_server, S3Server() as s3:
            addresses = [f"reader{i}@example.com" for i in range(recipients)]
            target = {"type": "smtp", "host": "127.0.0.1", "port": smtp_server.port, "security": "none",
                      "sender": "Brief <brief@example.com>", "unsubscribe_url": "https://example.com/u?e={email}"}
            s3_target = {"type": "s3", "bucket": "bench", "endpoint_url": s3.url}
            config = load_config(write_show(folder / "show", deliver=[target], audio={"enabled": False}))
            (config.root / "subscribers.txt").write_text("\n".join(addresses) + "\n")
            first = date(2026, 3, 10)
            days = [first - timedelta(days=n) for n in range(episodes)]
            for day in days:
                episode = make_episode(day, status="published", audio=audio_info())
                add_episode(config, episode)
                render_newsletter_files(config, episode)
            release(config)

            # -- SMTP: baseline, a bare loop over the same messages
            backend = SmtpBackend(config.deliver[0], config)
            episode = load_episode(config.episodes_dir, first)
            job = Job(config, config.deliver[0], episode, Ledger(None, first, "x", str), Scrubber([]),
                      newsletter=load_newsletter(config, episode))
            started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=30) as bare:
                for address in addresses:
                    bare.send_message(backend.message(job, Recipient(address)), to_addrs=[address])
            baseline = time.perf_counter() - started
            smtp_server.handler.received.clear()
            started = time.perf_counter()
            result = deliver(config, first)
            ours = time.perf_counter() - started
            assert result.counts.get("messages_sent") == recipients, result.failures
            rows.append({"figure": f"smtp: {recipients} recipients, seconds", "briefcast": round(ours, 2),
                         "baseline": round(baseline, 2), "ratio": round(ours / baseline, 2),
                         "target": "ledger adds < 50%"})
            started = time.perf_counter()
            again = deliver(config, first)
            rerun = time.perf_counter() - started
            assert not again.counts.get("messages_sent")
            rows.append({"figure": "smtp: re-run of a delivered list, seconds (0 sent)", "briefcast": round(rerun, 3),
                         "baseline": round(ours, 2), "ratio": round(rerun / ours, 3), "target": "<< 1"})

            # -- S3: baseline, bare put_object of the same files; then briefcast to a fresh bucket
            from pipeline.deliver.hosting import public_files

            client = s3.client()
            client.create_bucket(Bucket="bare")
            client.create_bucket(Bucket="bench")
            files = public_files(config)
            size = sum(f.path.stat().st_size for f in files)
            started = time.perf_counter()
            for file in files:
                client.put_object(Bucket="bare", Key=file.key, Body=file.path.read_bytes(), ContentType=file.content_type)
            baseline = time.perf_counter() - started
            s3_config = load_config(write_show(folder / "show", deliver=[s3_target], audio={"enabled": False}))
            started = time.perf_counter()
            result = deliver(s3_config, first)
            ours = time.perf_counter() - started
            assert result.counts.get("objects_uploaded") == len(files), result.failures
            rows.append({"figure": f"s3: {len(files)} files ({size / 1e6:.1f} MB), seconds", "briefcast": round(ours, 2),
                         "baseline": round(baseline, 2), "ratio": round(ours / baseline, 2),
                         "target": "ledger adds < 50%"})
            started = time.perf_counter()
            again = deliver(s3_config, first)
            rerun = time.perf_counter() - started
            assert not again.counts.get("objects_uploaded")
            rows.append({"figure": "s3: re-delivery, nothing changed, seconds (0 PUT)", "briefcast": round(rerun, 3),
                         "baseline": round(ours, 2), "ratio": round(rerun / ours, 3), "target": "<< 1"})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


if __name__ == "__main__":
    from rich.console import Console
    from rich.table import Table

    args = [int(a) for a in sys.argv[1:3]]
    table = Table("figure", "briefcast", "baseline", "ratio", "target")
    for row in run(*args):
        table.add_row(*(str(row[k]) for k in ("figure", "briefcast", "baseline", "ratio", "target")))
    Console().print(table)
