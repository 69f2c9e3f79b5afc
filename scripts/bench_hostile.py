"""Hostile inputs -> a Markdown table (kind, time, peak memory of the worker, outcome) for BENCHMARKS.md.

Each input is written to a temporary folder and ingested by a real `kb ingest` process with the default limits.
Run: PYTHONPATH=. python scripts/bench_hostile.py
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cases(folder: Path) -> list[tuple[str, Path]]:
    cases: list[tuple[str, Path]] = []

    def write(name: str, data: bytes, kind: str) -> None:
        sub = folder / kind.replace(" ", "_")
        sub.mkdir()
        (sub / name).write_bytes(data)
        cases.append((kind, sub))

    write("tabs.md", ("# " + "\t" * 30_000 + "标题\n正文\n").encode(), "Markdown heading with 30,000 tabs")
    write("repeat.txt", ("第一条 内容。\n" * 200_000).encode(), "200,000 lines repeating 第一条")
    nested = "<html><body>" + "<div>" * 100_000 + "第一条 文本" + "</div>" * 100_000 + "</body></html>"
    write("nested.html", nested.encode(), "HTML of 100,000 nested elements")
    from tests.test_extract_pdf import Run, make_pdf

    numbers = "一二三四五六七八九十"
    runs = [Run(100_000, 60 + 30 * i, f"第{numbers[i]}条 左栏，公共数据依法开放。") for i in range(10)]
    runs += [Run(3_000_000, 60 + 30 * i, f"右栏第{i + 1}行，数据安全管理。") for i in range(10)]
    write("wide.pdf", make_pdf([runs], width=5_000_000.0), "PDF page 5,000,000 points wide, two columns")
    write("long.txt", ("第一条 " + "公共数据授权运营。" * 130_000).encode(), "text of 1,170,000 characters")
    sub = folder / "fifo"
    sub.mkdir()
    os.mkfifo(sub / "pipe.md")
    cases.append(("named pipe (FIFO)", sub))
    sub = folder / "links"
    sub.mkdir()
    (sub / "zero.txt").symlink_to("/dev/zero")
    (sub / "passwd.txt").symlink_to("/etc/passwd")
    (sub / "loop.md").symlink_to(sub / "loop.md")
    cases.append(("links to /dev/zero, /etc/passwd, itself", sub))
    return cases


def main() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print("| input | time (s) | peak memory (MB) | outcome |")
    print("| --- | ---: | ---: | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for kind, folder in _cases(Path(tmp)):  # each kb process is a child: RUSAGE_CHILDREN peaks over them
            home = Path(tmp) / ("home-" + folder.name)
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            started = time.perf_counter()
            command = [sys.executable, "-m", "kb", "--home", str(home), "ingest", str(folder), "--jobs", "1"]
            run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
            seconds = time.perf_counter() - started
            peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
            lines = [ln for ln in (run.stdout + run.stderr).splitlines() if ln.strip()]
            outcome = "; ".join(ln.replace(tmp, "…").replace("|", "\\|")[:110] for ln in lines[:3])
            print(f"| {kind} | {seconds:.1f} | {peak:.0f} | exit {run.returncode}: {outcome} |", flush=True)


if __name__ == "__main__":
    main()
