"""The language-model layer: one client path (the ``openai`` package) to any OpenAI-compatible server.

Backends say where the server is and how to ask it for JSON; they are a Protocol plus a registry keyed by
``config.llm.backend`` (``local`` embedded llama.cpp, ``openai``, ``compatible``), and a third-party backend
registers with ``@register_backend("name")`` (``pipeline.registry.LLM.register``) exactly like the built-in
ones, or from another package through the ``briefcast.backends`` entry points.

``open_llm(config, store)`` yields an `LLMClient`; its ``structured(messages, Schema, purpose=...)`` returns a
validated pydantic object. Every call is logged to the ``llm_calls`` table, which is also the cache
(``cache_key`` = sha256 of model + messages + schema + temperature): asking again costs nothing, and the embedded
server is only started when a call actually has to be made. Faults:

- 408 / 409 / 429 / 5xx / connection errors: retried with backoff (honouring Retry-After) within ``llm.timeout``
  overall, then `LLMUnavailableError`; the SDK's own retries are off so this loop (:mod:`pipeline.retry`, shared
  with the speech backend) owns the deadline.
- other 4xx: `LLMRequestError` at once, with the server's message.
- invalid JSON, a schema violation or ``finish_reason == "length"``: asked once more with the validation error
  in the prompt, then `LLMOutputError`.
- the run's token / cost budget (``llm.budget``): `BudgetExceededError` before a call that would cross it.

Token counts before a call are estimated as characters / 4 (good enough for budgets and truncation; the
server's own ``usage`` numbers are what gets logged and billed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from pipeline.config import Config
from pipeline.errors import (
    BudgetExceededError,
    ConfigError,
    LLMOutputError,
    LLMRequestError,
    LLMUnavailableError,
)
from pipeline.registry import LLM
from pipeline.retry import call_with_retries
from pipeline.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)
Message = dict[str, str]
StructuredMode = Literal["json_schema", "json_object_schema"]


def approx_tokens(text: str) -> int:
    """Token estimate: about four characters a token for English (deliberately simple; no tokenizer needed)."""
    return (len(text) + 3) // 4


# -- backends ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """A running OpenAI-compatible server: where it is and the model name it knows."""

    base_url: str | None  # None: the SDK's default (OpenAI itself)
    api_key: str
    model: str
    check_alive: Callable[[], None] | None = None  # raises when a server we started has died


class Backend(Protocol):
    """Where the model runs. ``identity`` names it in the cache and log without starting anything."""

    structured_mode: StructuredMode

    def check(self, config: Config) -> None:
        """Fail fast (before any drafting) when the backend cannot work, naming the fix."""

    def identity(self, config: Config) -> str: ...

    # Optional: ``copy_guard(config) -> int``, the words in a row of a prompt's tagged text the server refuses to
    # let an answer copy (the embedded server's; a backend without it cannot guard: LLMClient._guard_words).

    def connect(self, config: Config) -> AbstractContextManager[Endpoint]: ...


# The shared registry (pipeline/registry.py): config validates llm.backend against it; plugins add to it.
register_backend = LLM.register


def get_backend(name: str) -> Backend:
    try:
        factory = LLM.get(name).factory
    except KeyError:
        raise ConfigError(
            f"llm.backend {name!r} is not known", hint=f"use one of: {', '.join(LLM.names())}"
        ) from None
    return factory()


@register_backend("openai")
class OpenAIBackend:
    structured_mode: StructuredMode = "json_schema"

    def _key(self, config: Config) -> str:
        variable = config.llm.api_key_env
        key = os.environ.get(variable, "").strip()
        if not key:
            raise ConfigError(
                f"llm.backend is {config.llm.backend!r} but the environment variable {variable} holding the API key "
                "is not set",
                hint=f"export {variable}=... (the key never goes in config.yaml), or use llm.backend: local",
            )
        return key

    def check(self, config: Config) -> None:
        self._key(config)

    def identity(self, config: Config) -> str:
        return config.llm.model

    @contextmanager
    def connect(self, config: Config) -> Iterator[Endpoint]:
        yield Endpoint(config.llm.base_url, self._key(config), config.llm.model)


@register_backend("compatible")
class CompatibleBackend:
    """Ollama, vLLM, LM Studio, llama.cpp server, OpenRouter...: any server with the OpenAI chat API."""

    structured_mode: StructuredMode = "json_schema"

    def check(self, config: Config) -> None:
        return None

    def identity(self, config: Config) -> str:
        return config.llm.model

    @contextmanager
    def connect(self, config: Config) -> Iterator[Endpoint]:
        # Many local servers need no key; send the configured one when it is set.
        key = os.environ.get(config.llm.api_key_env, "").strip() or "not-needed"
        yield Endpoint(config.llm.base_url, key, config.llm.model)


@register_backend("local")
class LocalBackend:
    """The embedded model (llama.cpp server on 127.0.0.1), started on the first call that misses the cache."""

    structured_mode: StructuredMode = "json_object_schema"  # llama.cpp: {"type": "json_object", "schema": ...}

    def check(self, config: Config) -> None:
        from pipeline.draft.local import LOCAL_MODELS, part_paths

        part_paths(LOCAL_MODELS[config.llm.local.model])

    def identity(self, config: Config) -> str:
        return f"local:{config.llm.local.model}"

    def copy_guard(self, config: Config) -> int:
        return config.llm.local.copy_guard

    @contextmanager
    def connect(self, config: Config) -> Iterator[Endpoint]:
        from pipeline.draft.local import serve_local

        with serve_local(config) as server:
            yield Endpoint(server.base_url, "local", "local", server.check_alive)


# -- structured output ------------------------------------------------------------------------------------------


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with ``$ref``s inlined (grammar converters of small servers handle that best)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(defs[node["$ref"].rsplit("/", 1)[-1]])
            # Drop schema "title" annotations (strings), never a property that happens to be called title.
            return {
                key: resolve(value) for key, value in node.items() if not (key == "title" and isinstance(value, str))
            }
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    return resolve(schema)


# llama.cpp's grammar converter unrolls a bounded string or list into nested optional rules, and its grammar parser
# refuses nesting past about a thousand levels: measured with llama-cpp-python 0.3.36, a maxLength or maxItems of
# 1,001 is accepted and 1,002 refused (stock llama-cpp-python then crashed on the refused grammar). Bounds up to
# 1,000 reach the grammar, so the grammar and pydantic agree and no answer fails a bound by construction; a longer
# bound is dropped from the grammar and must be one that max_tokens reaches first (tests/test_llm.py checks every
# answer schema).
GRAMMAR_MAX_LENGTH = 1000
GRAMMAR_MAX_ITEMS = 1000


def grammar_safe(node: Any) -> Any:
    """The schema for llama.cpp's grammar converter: large maxItems and long maxLength bounds removed.

    Its repetition rules nest once per unit of the bound (past ~1,000 the grammar is refused); the bounds kept stop
    a small model that repeats itself in a title or a sentence, or writes more sentences than asked.
    """
    if isinstance(node, dict):
        out = {k: grammar_safe(v) for k, v in node.items()
               if not (k == "maxItems" and isinstance(v, int) and v > GRAMMAR_MAX_ITEMS)}
        if isinstance(out.get("maxLength"), int) and out["maxLength"] > GRAMMAR_MAX_LENGTH:
            del out["maxLength"]
        return out
    if isinstance(node, list):
        return [grammar_safe(v) for v in node]
    return node


def response_format(mode: StructuredMode, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": grammar_safe(schema)}
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": False}}


_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*\n?|\n?\s*```\s*$")


def parse_answer(content: str, schema: type[T]) -> T:
    """Validate a model's answer; strips ``` fences and text around the JSON object first."""
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start > 0 or (end != -1 and end < len(text) - 1):
        text = text[start : end + 1] if start != -1 and end > start else text
    return schema.model_validate_json(text)


def _short(error: ValidationError | ValueError) -> str:
    if isinstance(error, ValidationError):
        parts = []
        for item in error.errors()[:4]:
            where = ".".join(str(p) for p in item["loc"]) or "(answer)"
            parts.append(f"{where}: {item['msg']}")
        return "; ".join(parts)
    return str(error)


def cache_key(model: str, messages: list[Message], schema: dict[str, Any], temperature: float,
              headers: dict[str, str] | None = None) -> str:
    """The answer's identity: what was asked, of which model, and how (a copy guard changes the answer)."""
    asked: dict[str, Any] = {"model": model, "messages": messages, "schema": schema, "temperature": temperature}
    if headers:
        asked["headers"] = headers
    blob = json.dumps(asked, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def prompt_hash(messages: list[Message]) -> str:
    return hashlib.sha256(json.dumps(messages, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Answer(Generic[T]):
    """A validated answer and where it came from."""

    value: T
    cached: bool
    prompt_hash: str
    model: str
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_cached: int = 0


@dataclass
class Usage:
    """What a client spent: the run report's ``llm`` line."""

    calls: int = 0
    cache_hits: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_cached: int = 0  # prompt tokens the server reused from its KV cache (part of tokens_in)
    cost_usd: float = 0.0
    seconds: float = 0.0
    failed_calls: int = 0
    per_purpose: list[dict[str, Any]] = field(default_factory=list)

    def as_counts(self) -> dict[str, float]:
        return {"llm_calls": self.calls, "cache_hits": self.cache_hits, "tokens_in": self.tokens_in,
                "tokens_cached": self.tokens_cached, "tokens_out": self.tokens_out, "cost_usd": round(self.cost_usd, 6)}


@dataclass
class _Reply:
    content: str
    finish_reason: str | None
    tokens_in: int
    tokens_out: int
    latency: float
    tokens_cached: int = 0




# Gates every model request passes through besides the client's own slots: an orchestrator running many shows
# installs a machine-wide rate limit for a paid API here (pipeline.orchestrate). Empty for a plain run.
_call_gates: list[Callable[[], AbstractContextManager[Any]]] = []


@contextmanager
def call_gate(gate: Callable[[], AbstractContextManager[Any]]) -> Iterator[None]:
    """Send every model request made inside this block (retries too) through ``gate()``."""
    _call_gates.append(gate)
    try:
        yield
    finally:
        _call_gates.remove(gate)


class LLMClient:
    """Validated structured answers from one backend, cached and logged in the store."""

    def __init__(self, config: Config, store: Store, backend: Backend) -> None:
        self.config = config
        self.store = store
        self.backend = backend
        self.model = backend.identity(config)
        self.usage = Usage()
        self._stack = ExitStack()
        self._sdk: Any = None
        self._endpoint: Endpoint | None = None
        self._connect_lock = threading.Lock()
        self._usage_lock = threading.Lock()
        self._slots = threading.Semaphore(config.llm.concurrency)
        price = config.llm.prices.get(config.llm.model)
        self._price = (price.input_per_mtok, price.output_per_mtok) if price else (0.0, 0.0)

    # -- lifecycle

    def _client(self) -> Any:
        with self._connect_lock:
            if self._sdk is None:
                from openai import OpenAI  # the SDK is imported only when a call has to be made

                self._endpoint = self._stack.enter_context(self.backend.connect(self.config))
                self._sdk = OpenAI(base_url=self._endpoint.base_url, api_key=self._endpoint.api_key,
                                   max_retries=0, timeout=self.config.llm.timeout)
            return self._sdk

    def close(self) -> None:
        with self._connect_lock:
            if self._sdk is not None:
                self._sdk.close()
                self._sdk = None
            self._stack.close()

    # -- public

    def structured(
        self,
        messages: list[Message],
        schema: type[T],
        *,
        purpose: str,
        max_tokens: int | None = None,
        temperature: float | None = None,
        guard: tuple[str, ...] = (),
    ) -> Answer[T]:
        """Ask for a ``schema`` object; cached, budgeted, retried once on a malformed answer. ``guard`` names the
        prompt's tags (``<source>``) whose text the answer must not copy for long: the embedded server refuses
        such runs as it samples (llama_serve.CopyGuard); other servers cannot, and the writer's checks remain."""
        temperature = self.config.llm.temperature if temperature is None else temperature
        json_schema = inline_schema(schema)
        words = self._guard_words() if guard else 0
        headers = {"x-briefcast-copy-guard": f"{words} {','.join(guard)}"} if words else {}
        key = cache_key(self.model, messages, json_schema, temperature, headers)
        cached = self._cached(key, schema)
        if cached is not None:
            with self._usage_lock:
                self.usage.cache_hits += 1
            return Answer(cached, True, prompt_hash(messages), self.model)
        fmt = response_format(self.backend.structured_mode, schema.__name__, json_schema)
        limit = max_tokens or self.config.llm.max_tokens
        attempt_messages = list(messages)
        problem = ""
        for _attempt in (1, 2):  # the answer, then one retry told what was wrong
            reply = self._call(attempt_messages, fmt, limit, temperature, purpose, headers)
            try:
                if reply.finish_reason == "length":
                    raise ValueError(f"the answer was cut off at max_tokens={limit} (finish_reason 'length')")
                value = parse_answer(reply.content, schema)
            except (ValidationError, ValueError) as exc:
                problem = _short(exc)
                self._log(key, attempt_messages, purpose, reply, ok=False, error=problem)
                attempt_messages = [*messages, {"role": "assistant", "content": reply.content[:2000]},
                                    {"role": "user", "content": _repair(problem, json_schema)}]
                continue
            self._log(key, attempt_messages, purpose, reply, ok=True, response=value.model_dump_json())
            return Answer(value, False, prompt_hash(messages), self.model, reply.tokens_in, reply.tokens_out)
        raise LLMOutputError(f"the model's answer did not validate after a retry ({problem})", subject=purpose)

    # -- cache and log

    def _cached(self, key: str, schema: type[T]) -> T | None:
        rows = self.store.query(
            "SELECT response FROM llm_calls WHERE cache_key = ? AND ok = 1 ORDER BY id DESC LIMIT 1", (key,)
        )
        if not rows:
            return None
        try:
            return schema.model_validate_json(rows[0]["response"])
        except ValidationError:
            return None  # the schema changed since: ask again

    def _log(self, key: str, messages: list[Message], purpose: str, reply: _Reply | None, *, ok: bool,
             response: str | None = None, error: str | None = None) -> None:
        cost = self._cost(reply.tokens_in, reply.tokens_out) if reply else 0.0
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO llm_calls (cache_key, model, prompt_hash, purpose, tokens_in, tokens_out, tokens_cached,"
                " cost_usd, latency_s, ok, response, error, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, self.model, prompt_hash(messages), purpose, reply.tokens_in if reply else 0,
                 reply.tokens_out if reply else 0, reply.tokens_cached if reply else 0, cost,
                 reply.latency if reply else 0.0, int(ok),
                 response if ok else (reply.content[:4000] if reply else None), error,
                 datetime.now(UTC).isoformat()),
            )

    def _cost(self, tokens_in: int, tokens_out: int) -> float:
        return (tokens_in * self._price[0] + tokens_out * self._price[1]) / 1_000_000

    # -- budget

    def _check_budget(self, messages: list[Message], purpose: str, max_tokens: int = 0) -> None:
        """Refuse a call that could cross the budget: its input (estimated) plus the most it may answer."""
        budget = self.config.llm.budget
        estimate = sum(approx_tokens(m["content"]) for m in messages) + max_tokens
        with self._usage_lock:
            spent = self.usage.tokens_in + self.usage.tokens_out
            if budget.max_tokens is not None and spent + estimate > budget.max_tokens:
                raise BudgetExceededError(
                    f"the run's token budget is spent ({spent} used, this call needs about {estimate} more, "
                    f"budget {budget.max_tokens})",
                    subject=purpose, hint="raise llm.budget.max_tokens or draft fewer segments",
                )
            if budget.max_cost_usd is not None and self.usage.cost_usd + self._cost(estimate, 0) > budget.max_cost_usd:
                raise BudgetExceededError(
                    f"the run's cost budget is spent (${self.usage.cost_usd:.4f} of ${budget.max_cost_usd:.2f})",
                    subject=purpose, hint="raise llm.budget.max_cost_usd",
                )

    # -- one HTTP exchange with retries inside the deadline

    def _guard_words(self) -> int:
        copy_guard = getattr(self.backend, "copy_guard", None)  # a plugin backend may not have one
        return int(copy_guard(self.config) or 0) if callable(copy_guard) else 0

    def _call(self, messages: list[Message], fmt: dict[str, Any], max_tokens: int, temperature: float,
              purpose: str, headers: dict[str, str] | None = None) -> _Reply:
        self._check_budget(messages, purpose, max_tokens)
        import openai

        client = self._client()
        endpoint = self._endpoint
        assert endpoint is not None
        timeout = self.config.llm.timeout

        def send(seconds: float) -> _Reply:
            started = time.monotonic()
            with ExitStack() as gates:
                for gate in list(_call_gates):
                    gates.enter_context(gate())
                raw = client.with_options(timeout=seconds).chat.completions.with_raw_response.create(
                    model=endpoint.model, messages=messages, temperature=temperature,
                    max_tokens=max_tokens, response_format=fmt, extra_headers=headers or None,
                )
                completion = raw.parse()
            return self._reply(completion, time.monotonic() - started, raw.headers)

        def failed(exc: Exception) -> None:
            if endpoint.check_alive is not None and isinstance(exc, openai.APIConnectionError):
                endpoint.check_alive()  # a server we started has died: retrying is pointless
            self._count_failure()

        def refused(status: int, message: str) -> Exception:
            return LLMRequestError(f"the model server refused the request (HTTP {status}: {message})",
                                   subject=purpose,
                                   hint="check llm.model and llm.base_url" if status in (401, 403, 404) else None)

        def gave_up(cause: str | None, _attempts: int) -> Exception:
            if cause is None:
                return LLMUnavailableError(f"no answer within llm.timeout={timeout:.0f} s",
                                           subject=purpose, hint="raise llm.timeout or check the server")
            return LLMUnavailableError(f"the model server kept failing ({cause}) past llm.timeout={timeout:.0f} s",
                                       subject=purpose, hint="try again later, or raise llm.timeout")

        with self._slots:
            return call_with_retries(send, timeout=timeout, refused=refused, gave_up=gave_up, on_failure=failed,
                                     label=purpose)

    def _count_failure(self) -> None:
        with self._usage_lock:
            self.usage.failed_calls += 1

    def _reply(self, completion: Any, latency: float, headers: Any = None) -> _Reply:
        choice = completion.choices[0] if completion.choices else None
        content = (choice.message.content or "") if choice else ""
        usage = getattr(completion, "usage", None)
        tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
        cached = cached_tokens(usage, headers)
        with self._usage_lock:
            self.usage.calls += 1
            self.usage.tokens_in += tokens_in
            self.usage.tokens_out += tokens_out
            self.usage.tokens_cached += cached
            self.usage.cost_usd += self._cost(tokens_in, tokens_out)
            self.usage.seconds += latency
        return _Reply(content, choice.finish_reason if choice else None, tokens_in, tokens_out, latency, cached)


def cached_tokens(usage: Any, headers: Any) -> int:
    """Prompt tokens the server reused from its cache: OpenAI's ``usage.prompt_tokens_details.cached_tokens``, or
    the embedded server's ``x-briefcast-cached-tokens`` header (llama-cpp-python's usage has no such count)."""
    details = getattr(usage, "prompt_tokens_details", None)
    value = getattr(details, "cached_tokens", None)
    if value is None and headers is not None:
        value = headers.get("x-briefcast-cached-tokens")
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def _repair(problem: str, schema: dict[str, Any]) -> str:
    return (
        f"Your answer could not be used: {problem}. Reply again with only one JSON object that matches this "
        f"schema, no code fences, and keep it short enough to finish:\n{json.dumps(schema, ensure_ascii=False)}"
    )


@contextmanager
def open_llm(config: Config, store: Store) -> Iterator[LLMClient]:
    """A client for ``config.llm``; the embedded server (if any) starts on first use and stops on exit."""
    backend = get_backend(config.llm.backend)
    backend.check(config)
    client = LLMClient(config, store, backend)
    try:
        yield client
    finally:
        client.close()


__all__ = [
    "Answer",
    "Backend",
    "Endpoint",
    "LLMClient",
    "Usage",
    "approx_tokens",
    "call_gate",
    "get_backend",
    "inline_schema",
    "open_llm",
    "parse_answer",
    "register_backend",
]
