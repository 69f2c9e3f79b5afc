"""Benchmark: the search page of `kb serve` under concurrent clients on loopback -> latency percentiles (JSON).

Starts `kb serve` on a free loopback port in a child process against a knowledge base (read-only: nothing is
written), then runs CLIENTS concurrent clients in this process, each asking for search result pages back to back
(no think time) from a mixed list of queries — keywords, phrases, OR/NOT, field filters, questions, later pages and
date order — until REQUESTS pages have been served. With --distinct no two requests are alike, so none is answered
from the server's cache of recent results. Reports p50/p95/p99 and throughput over all requests, and over each
query's first request, beside the bar (p95 <= 200 ms).

    python scripts/load_web.py --home /work/homes/corpus --clients 20 --requests 2000 --workers 2 --out load.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

BAR_P95_MS = 200.0
# Searches a researcher types: words, phrases, boolean forms, filters in the query and as parameters, questions.
QUERIES: tuple[dict[str, str], ...] = (
    {"q": "公共数据 授权运营"}, {"q": "数据安全"}, {"q": "个人信息 处理者"}, {"q": '"数据分类分级"'},
    {"q": "政府信息公开"}, {"q": "环境保护 罚款"}, {"q": "知识产权"}, {"q": "数据 交易", "province": "上海"},
    {"q": "公共数据 开放", "province": "浙江"}, {"q": "数据要素 市场"}, {"q": "数据出境 安全评估"},
    {"q": "网络安全 等级保护"}, {"q": "个人信息 OR 隐私"}, {"q": "数据 -安全", "year": "2022"},
    {"q": "province:广东 数据"}, {"q": "year:2016..2020 大数据"}, {"q": "type:地方性法规 数据共享"},
    {"q": "怎样申请政府信息公开"}, {"q": "行政处罚 听证"}, {"q": "安全生产 责任"}, {"q": "食品安全 标准"},
    {"q": "数据", "page": "3"}, {"q": "条例", "sort": "date"}, {"q": "公共数据", "docs": "1"},
    {"q": "数据安全", "level": "provincial"}, {"q": "电子政务"}, {"q": "数字经济 促进"}, {"q": "数据资源 目录"},
    {"q": "首席数据官"}, {"q": "数据产权"}, {"q": "算法 推荐"}, {"q": "人脸识别"}, {"q": "征信"},
    {"q": "医疗 健康 数据"}, {"q": "公共数据 共享 责任"}, {"q": '"重要数据" 目录'}, {"q": "数据跨境"},
    {"q": "政务数据 共享 开放", "from": "2018", "to": "2023"}, {"q": "违法 情节严重 罚款", "sort": "date"},
    {"q": "数据安全 法律责任", "type": "地方性法规"},
)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _summary(times: list[float]) -> dict[str, float]:
    ms = [t * 1000 for t in times]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(_percentile(ms, 95), 1),
            "p99_ms": round(_percentile(ms, 99), 1), "max_ms": round(max(ms), 1)}  # fmt: skip


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its live children (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    pids = [pid]
    proc = Path("/proc")
    if not proc.is_dir():
        return 0.0
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(entry.name))
    total = 0.0
    for one in pids:
        try:
            fields = (proc / str(one) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _urls(base: str, requests: int, distinct: bool) -> list[str]:
    """The pages to ask for: the queries in turn, or with ``distinct`` each with a year filter so that no two
    requests of the run are the same (no answer can come from the server's cache of recent results)."""
    if not distinct:
        return [f"{base}/search?{urlencode(q)}" for q in QUERIES]
    urls = []
    for i in range(requests):
        query = dict(QUERIES[i % len(QUERIES)])
        query.pop("year", None)
        query.pop("from", None)
        query.pop("to", None)
        query["from"] = str(1980 + (i // len(QUERIES)) % 45)
        query["to"] = "2025"
        query["n"] = str(10 + (i // (len(QUERIES) * 45)) % 11)
        urls.append(f"{base}/search?{urlencode(query)}")
    return urls


class _Connection:
    """One client's keep-alive HTTP/1.1 connection, kept minimal so that the load generator costs the shared cores
    little (a full client library spends more CPU per request than the server's cached pages do)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode("ascii"))
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = next(
            int(v) for k, _, v in (line.partition(":") for line in lines[1:]) if k.lower() == "content-length"
        )
        body = await self.reader.readexactly(length)
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def _load(base: str, clients: int, requests: int, distinct: bool) -> dict[str, Any]:
    targets = [url.removeprefix(base) for url in _urls(base, requests, distinct)]
    host, port = base.removeprefix("http://").split(":")
    times: list[float] = []
    first: list[float] = []
    seen: set[int] = set()
    errors: dict[str, int] = {}
    next_index = 0

    async def one_client() -> None:
        nonlocal next_index
        conn = _Connection(host, int(port))
        try:
            while next_index < requests:
                i = next_index
                next_index += 1
                which = i % len(targets)
                started = time.perf_counter()
                try:
                    status, body = await asyncio.wait_for(conn.get(targets[which]), timeout=30)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, StopIteration) as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    await conn.close()
                    conn = _Connection(host, int(port))
                    continue
                elapsed = time.perf_counter() - started
                if status != 200 or (b'<ol class="hits"' not in body and "没有结果".encode() not in body):
                    errors[str(status)] = errors.get(str(status), 0) + 1
                    continue
                times.append(elapsed)
                if which not in seen:
                    seen.add(which)
                    first.append(elapsed)
        finally:
            await conn.close()

    started = time.perf_counter()
    cpu = time.process_time()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    wall = time.perf_counter() - started
    client_cpu = (time.process_time() - cpu) * 1000 / max(1, len(times))
    return {"all": _summary(times), "first_request_of_each_query": _summary(first),
            "throughput_rps": round(len(times) / wall, 1), "seconds": round(wall, 2), "errors": errors,
            "client_cpu_ms_per_request": round(client_cpu, 2)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="Knowledge base to serve (read-only).")
    parser.add_argument("--clients", type=int, default=20, help="Concurrent clients (default 20).")
    parser.add_argument("--requests", type=int, default=2000, help="Search pages to fetch in all (default 2000).")
    parser.add_argument("--workers", type=int, default=1, help="Server processes (kb serve --workers; default 1).")
    parser.add_argument("--distinct", action="store_true",
                        help="Make every request different (a year range and page size per request), so the server "
                        "answers none from its cache of recent results.")  # fmt: skip
    parser.add_argument("--out", type=Path, default=None, help="Also write the JSON here.")
    args = parser.parse_args(argv)
    port = _free_port()
    env = dict(os.environ)
    log = tempfile.TemporaryFile()  # noqa: SIM115 - the server's messages (an unread pipe would block it when full)
    server = subprocess.Popen([sys.executable, "-m", "kb", "--home", str(args.home), "serve", "--port", str(port),
                               "--workers", str(args.workers)],
                              env=env, stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                log.seek(0)
                err = log.read().decode(errors="replace")[-2000:]
                print(f"kb serve did not start: {err}", file=sys.stderr)
                return 2
            time.sleep(0.2)
        cpu_before = _cpu_seconds(server.pid)
        result = asyncio.run(_load(base, args.clients, args.requests, args.distinct))
        served = result["all"]["n"] or 1
        # Machine-independent cost: server CPU per page (the latency under load is about clients x this / cores).
        result["server_cpu_ms_per_request"] = round((_cpu_seconds(server.pid) - cpu_before) * 1000 / served, 2)
    finally:
        server.terminate()
        server.wait(timeout=20)
    log.seek(0)
    result_errors = log.read().decode(errors="replace").count("Traceback")
    result.update(
        clients=args.clients, workers=args.workers, requests=args.requests,
        distinct=args.distinct, queries=len(QUERIES), home=str(args.home),
        server_tracebacks=result_errors, bar_p95_ms=BAR_P95_MS,
        met=result["all"]["p95_ms"] <= BAR_P95_MS and not result["errors"],
        machine={"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
                 "python": platform.python_version(), "platform": platform.platform()},
        command=" ".join(["python", "scripts/load_web.py", *(argv if argv is not None else sys.argv[1:])]),
    )  # fmt: skip
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
