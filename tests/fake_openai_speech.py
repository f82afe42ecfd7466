"""A loopback stand-in for the OpenAI speech API (POST /v1/audio/speech), with injectable faults.

It answers with real audio: a WAV made with numpy (voiced, syllable-like tone bursts, about 14 characters a
second), written the way the real API streams WAV (RIFF and data sizes 0xFFFFFFFF). Faults are queued per
request: "429", "429-long" (Retry-After: 60), "408", "500", "400", "timeout" (answers after ``delay`` seconds),
"silence", "empty".
"""

from __future__ import annotations

import io
import json
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

RATE = 24000


def speech_like_wav(text: str, *, silent: bool = False) -> bytes:
    """Mono 16-bit WAV with a streaming header: 14 characters a second of 5 Hz 'syllables' on a 140 Hz voice."""
    seconds = max(0.5, len(text) / 14)
    t = np.arange(int(seconds * RATE)) / RATE
    voice = np.sin(2 * np.pi * 140 * t) + 0.5 * np.sin(2 * np.pi * 280 * t) + 0.25 * np.sin(2 * np.pi * 560 * t)
    syllables = np.clip(np.sin(2 * np.pi * 5 * t), 0, None) ** 0.5
    samples = np.zeros_like(t) if silent else voice * syllables * 0.3
    pcm = (samples * 32767).astype("<i2").tobytes()
    out = io.BytesIO()
    out.write(b"RIFF" + struct.pack("<I", 0xFFFFFFFF) + b"WAVE")
    out.write(b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, RATE, RATE * 2, 2, 16))
    out.write(b"data" + struct.pack("<I", 0xFFFFFFFF) + pcm)
    return out.getvalue()


@dataclass
class FakeSpeech:
    url: str  # base_url for the client, ending in /v1
    faults: list[str] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    delay: float = 3.0


@contextmanager
def fake_speech_server() -> Iterator[FakeSpeech]:
    state = FakeSpeech(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            payload = json.loads(self.rfile.read(length) or b"{}")
            with lock:
                state.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **payload})
                fault = state.faults.pop(0) if state.faults else None
            if self.path != "/v1/audio/speech":
                return self._send(404, b'{"error": {"message": "not found"}}', "application/json")
            error = {"429": (429, "Rate limit reached", {"Retry-After": "0"}),
                     "429-long": (429, "Rate limit reached", {"Retry-After": "60"}),
                     "408": (408, "Request timeout", {}),
                     "500": (500, "The server had an error", {}),
                     "400": (400, "Invalid voice 'nobody'", {})}
            if fault in error:
                status, message, headers = error[fault]
                body = json.dumps({"error": {"message": message, "type": "fake"}}).encode()
                return self._send(status, body, "application/json", headers)
            if fault == "timeout":
                time.sleep(state.delay)
            if fault == "empty":
                return self._send(200, b"", "audio/wav")
            self._send(200, speech_like_wav(payload.get("input", ""), silent=fault == "silence"), "audio/wav")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
