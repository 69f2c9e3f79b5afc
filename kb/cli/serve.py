"""CLI serve: `kb serve` -> the web interface (kb.web) under uvicorn, on the loopback address unless told otherwise."""

from __future__ import annotations

from typing import Any

import click

from kb.cli.render import KbContext, handle_errors

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any but loopback lets other machines read the knowledge base.")  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free).")
@click.option("--timeout", "request_seconds", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a request may take before it is answered 503.")  # fmt: skip
@click.option("--workers", type=click.IntRange(1, 32), default=1, show_default=True,
              help="Server processes (one per core answers most; each holds its own copy of the index).")  # fmt: skip
@click.pass_obj
@handle_errors
def serve(obj: KbContext, host: str, port: int, request_seconds: float, workers: int) -> None:
    """Serve the knowledge base as a local web site: search, documents, trace, lists and counts, and a JSON API.

    Read-only. Pages at http://HOST:PORT/ ; the JSON of `kb search/show/trace/list/stats --json` under /api/
    (described by /api/openapi.json).

    \b
    Examples:
      kb serve
      kb --home indexes serve --port 8080 --workers 2
    """
    import os

    import uvicorn

    from kb.store.sqlite import Store
    from kb.web.app import create_app

    with Store.open(obj.home):  # fail now, with kb's message, when there is no knowledge base here
        pass
    hosts = None if host in LOOPBACK else ["*"]
    if host not in LOOPBACK:
        click.echo(f"warning: listening on {host}: other machines can read this knowledge base", err=True)
    click.echo(f"kb: serving {obj.home} at http://{host if ':' not in host else f'[{host}]'}:{port}/ (Ctrl-C stops)",
               err=True)  # fmt: skip
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "warning", "server_header": False,
                               "access_log": False}  # fmt: skip
    if workers == 1:
        uvicorn.run(create_app(obj.home, allowed_hosts=hosts, request_seconds=request_seconds), **options)
        return
    # Worker processes import the application by name and read its settings from the environment.
    os.environ.update(KB_WEB_HOME=str(obj.home.resolve()), KB_WEB_TIMEOUT=str(request_seconds))
    if hosts:
        os.environ["KB_WEB_HOSTS"] = ",".join(hosts)
    uvicorn.run("kb.web.app:app_from_environment", factory=True, workers=workers, **options)


COMMANDS = (serve,)
