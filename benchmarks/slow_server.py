"""A minimal OpenAI-compatible server on 127.0.0.1 that answers after a fixed delay.

    python benchmarks/slow_server.py --delay 0.2 --rate-limit 0.3 --seed 0

POST /v1/chat/completions answers after ``--delay`` seconds; a ``--rate-limit`` fraction of
requests (seeded) gets an immediate 429 with ``Retry-After: --retry-after``. GET /stats
returns how many 200s each prompt got, so a client can prove nothing was asked twice. One
asyncio loop, HTTP/1.1 keep-alive; loopback only; exits after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
from collections import Counter
from typing import Any

STATS: dict[str, Any] = {"requests": 0, "rate_limited": 0, "ok": Counter()}


def completion(prompt: str, logprobs: bool) -> dict[str, Any]:
    tokens = ["The", " capital", " is", " Paris", "."]
    content: list[dict[str, Any]] = [
        {"token": t, "logprob": -0.1, "bytes": None, "top_logprobs": []} for t in tokens]
    return {"id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": "bench",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(tokens)},
                         "logprobs": {"content": content} if logprobs else None,
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": len(tokens),
                      "total_tokens": len(prompt) // 4 + len(tokens)}}


async def read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes] | None:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    length = int({k.strip().lower(): v.strip() for k, v in headers.items()}
                 .get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return method, path, body


def respond(status: int, payload: Any, extra: str = "") -> bytes:
    data = json.dumps(payload).encode()
    reason = {200: "OK", 404: "Not Found", 429: "Too Many Requests"}[status]
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n{extra}\r\n")
    return head.encode() + data


async def answer(method: str, path: str, body: bytes, args: argparse.Namespace,
                 rng: random.Random) -> bytes:
    if method == "GET" and path == "/stats":
        ok = STATS["ok"]
        return respond(200, {"requests": STATS["requests"], "rate_limited": STATS["rate_limited"],
                             "ok": sum(ok.values()), "prompts": len(ok),
                             "duplicated": sum(1 for n in ok.values() if n > 1)})
    if method != "POST" or path != "/v1/chat/completions":
        return respond(404, {"error": {"message": f"no route {method} {path}"}})
    request = json.loads(body)
    prompt = request["messages"][-1]["content"]
    STATS["requests"] += 1
    if rng.random() < args.rate_limit:
        STATS["rate_limited"] += 1
        return respond(429, {"error": {"message": "Rate limit reached", "code": None}},
                       f"Retry-After: {args.retry_after}\r\n")
    await asyncio.sleep(args.delay)
    if request.get("max_tokens", 0) > 1:  # the backend's one-token probe is not an item
        STATS["ok"][prompt] += 1
    return respond(200, completion(prompt, bool(request.get("logprobs"))))


async def serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                           args: argparse.Namespace, rng: random.Random) -> None:
    try:
        while True:
            request = await read_request(reader)
            if request is None:
                break
            writer.write(await answer(*request, args, rng))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    server = await asyncio.start_server(lambda r, w: serve_connection(r, w, args, rng),
                                        "127.0.0.1", args.port, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(f"listening on {port}", flush=True)
    async with server:
        await asyncio.sleep(args.max_seconds)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--rate-limit", type=float, default=0.0)
    parser.add_argument("--retry-after", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
