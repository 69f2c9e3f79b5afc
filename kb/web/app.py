"""Web application: HTTP requests -> the library calls of kb.web.api -> server-rendered pages and the JSON API.

Read-only (GET and HEAD only), every asset from the package's static folder, titles and texts escaped by Jinja,
inputs bounded (query length, page size, request time), errors as pages (JSON under /api/) without tracebacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kb.errors import Ambiguous, IndexMissing, KbError, NotFound, StoreError
from kb.models import DocFilter, DocType, Level, Status
from kb.schema import to_json
from kb.web import api, render
from kb.web.openapi import openapi_document
from kb.web.params import (
    MAX_PAGE,
    Params,
    doc_filter,
    filter_values,
    search_args,
    stats_dims,
    trace_args,
)

T = TypeVar("T")
PACKAGE = Path(__file__).resolve().parent
REQUEST_SECONDS = 10.0  # a request that takes longer is answered 503 (the work is dropped)
CHART_TIMES = 3  # a chart may take this many times REQUEST_SECONDS (matplotlib draws a cross-tab slowly)
LIST_PAGE_ROWS = 100
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
log = logging.getLogger("kb.web")
# Starlette's own 404/405 texts, said as kb says things.
DEFAULT_MESSAGES = {"Not Found": "no such page", "Method Not Allowed": "this server only reads: use GET or HEAD"}

# Sent with every response: no framing, no sniffing, nothing loaded from elsewhere (users may be offline).
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; "
        b"script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kb.web", "templates"),
        autoescape=True,  # every value printed is escaped unless a template says otherwise (none does)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        doc_href=render.doc_href,
        ref_href=render.ref_href,
        trace_href=render.trace_href,
        url=render.url,
        marked=render.marked,
        facet_links=render.FacetLinks,
        levels=[v.value for v in Level],
        doc_types=[v.value for v in DocType],
        statuses=[v.value for v in Status],
        relations=api.RELATIONS,
    )
    return env


def create_app(
    home: Path,
    *,
    allowed_hosts: list[str] | None = None,
    request_seconds: float = REQUEST_SECONDS,
) -> Starlette:
    """The web application over the knowledge base at ``home``.

    ``allowed_hosts`` are the Host names answered (default: the loopback names, so a page elsewhere cannot reach
    the server through a rebound DNS name); ``["*"]`` answers any.
    """
    lib = api.Library(Path(home))
    env = _environment()
    # Search pages as last drawn, with the result they show; reused while the library returns that same result.
    rendered: OrderedDict[str, tuple[Any, bytes]] = OrderedDict()

    async def call(fn: Callable[..., T], *args: Any, seconds: float | None = None, **kwargs: Any) -> T:
        """Run a library call in a worker thread, bounded by ``request_seconds`` (or ``seconds``)."""
        limit = seconds or request_seconds
        try:
            return await asyncio.wait_for(run_in_threadpool(fn, *args, **kwargs), timeout=limit)
        except TimeoutError:
            raise HTTPException(503, f"the request took longer than {limit:g} s; narrow it") from None

    def page(name: str, request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(request_path=request.url.path, **context)
        return HTMLResponse(html, status_code=status_code)

    def json_response(value: Any) -> Response:
        body = json.dumps(to_json(value), ensure_ascii=False, indent=2)
        return Response(body, media_type="application/json")

    # -- pages ---------------------------------------------------------------------------------------------------

    async def home_page(request: Request) -> Response:
        return page(
            "search.html",
            request,
            params={},
            query="",
            result=None,
            hits=[],
            args=None,
            pages=0,
            status=await call(api.status, lib),
            filters=filter_values(DocFilter()),
        )

    async def search_page(request: Request) -> Response:
        args = search_args(Params(request.query_params), page_size=True)
        if not args.query and args.filters == DocFilter():
            return await home_page(request)
        result = await call(
            api.search, lib, args.query, args.filters, docs=args.docs, limit=args.page * args.size, sort=args.sort
        )
        key = str(request.url.query)
        kept = rendered.get(key)
        if kept is not None and kept[0] is result:  # the same result object: nothing changed since it was drawn
            rendered.move_to_end(key)
            return HTMLResponse(kept[1])
        hits = result.hits[(args.page - 1) * args.size :]
        pages = min(MAX_PAGE, -(-result.total // args.size)) if args.size else 0
        response = page(
            "search.html",
            request,
            params=args.params,
            query=args.query,
            result=result,
            hits=hits,
            args=args,
            pages=pages,
            status=None,
            filters=filter_values(args.filters),
            facets=_facets(result.facets),
        )
        rendered[key] = (result, bytes(response.body))
        if len(rendered) > api.RESULTS_KEPT:
            rendered.popitem(last=False)
        return response

    async def show_redirect(request: Request) -> Response:
        ref = Params(request.query_params).text("ref", required=True)
        doc_id, clause_id = await call(api.resolve, lib, ref)
        return RedirectResponse(render.doc_href(doc_id, clause_id), status_code=303)

    async def doc_page(request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        data = await call(api.document_page, lib, doc_id)
        panel = await call(api.trace, lib, doc_id, depth=1, relations=("cites", "cited-by"), filters=None, limit=50)
        doc = data.document
        return page(
            "doc.html",
            request,
            doc=doc,
            meta=doc.meta,
            outline=render.outline(doc),
            blocks=render.clause_blocks(doc, data.citations, data.cited_by),
            trace=panel,
            topics=sorted({t.topic for t in data.topics}),
            cited_by=len(data.cited_by),
            citations=len(data.citations),
        )

    async def trace_page(request: Request) -> Response:
        args = trace_args(Params(request.query_params))
        result = await call(
            api.trace, lib, args.ref, depth=args.depth, relations=args.relations, filters=args.filters, limit=args.limit
        )
        return page(
            "trace.html", request, result=result, args=args, params=args.params, filters=filter_values(args.filters)
        )

    async def list_page(request: Request) -> Response:
        params = Params(request.query_params)
        filters, sort = doc_filter(params), params.choice("sort", ("date", "province", "title"), "date")
        number = params.integer("page", 1, low=1, high=10_000)
        rows = await call(api.list_rows, lib, filters, sort=sort)
        pages = max(1, -(-len(rows) // LIST_PAGE_ROWS))
        shown = rows[(number - 1) * LIST_PAGE_ROWS : number * LIST_PAGE_ROWS]
        return page(
            "list.html",
            request,
            rows=shown,
            total=len(rows),
            page=number,
            pages=pages,
            sort=sort,
            params=params.echo(),
            filters=filter_values(filters),
        )

    async def list_csv(request: Request) -> Response:
        params = Params(request.query_params)
        filters, sort = doc_filter(params), params.choice("sort", ("date", "province", "title"), "date")
        rows = await call(api.list_rows, lib, filters, sort=sort)
        return _download(api.list_csv(rows), "text/csv; charset=utf-8", "kb-list.csv")

    async def stats_page(request: Request) -> Response:
        params = Params(request.query_params)
        by, filters = stats_dims(params), doc_filter(params)
        table = await call(api.stats, lib, by, filters)
        grid = None
        if len(table.by) == 2:
            from kb.report.stats import cross_tab

            grid = cross_tab(table)
        return page(
            "stats.html",
            request,
            table=table,
            grid=grid,
            by=by,
            params=params.echo(),
            filters=filter_values(filters),
            dimensions=_dimensions(),
        )

    async def stats_csv(request: Request) -> Response:
        params = Params(request.query_params)
        table = await call(api.stats, lib, stats_dims(params), doc_filter(params))
        return _download(api.stats_csv(table), "text/csv; charset=utf-8", "kb-stats.csv")

    async def stats_svg(request: Request) -> Response:
        params = Params(request.query_params)
        filters = doc_filter(params)
        table = await call(api.stats, lib, stats_dims(params), filters)
        svg = await call(api.stats_svg, table, filters, seconds=request_seconds * CHART_TIMES)
        return Response(svg, media_type="image/svg+xml")

    # -- JSON API ------------------------------------------------------------------------------------------------

    async def api_search(request: Request) -> Response:
        args = search_args(Params(request.query_params), page_size=False)
        if not args.query and args.filters == DocFilter():
            raise HTTPException(400, "give words to search for (q=公共数据 开放) or a filter (province=浙江)")
        return json_response(
            await call(api.search, lib, args.query, args.filters, docs=args.docs, limit=args.size, sort=args.sort)
        )

    async def api_show(request: Request) -> Response:
        ref = Params(request.query_params).text("ref", required=True)
        return json_response((await call(api.show, lib, ref)).json)

    async def api_trace(request: Request) -> Response:
        args = trace_args(Params(request.query_params))
        return json_response(
            await call(
                api.trace,
                lib,
                args.ref,
                depth=args.depth,
                relations=args.relations,
                filters=args.filters,
                limit=args.limit,
            )
        )

    async def api_list(request: Request) -> Response:
        params = Params(request.query_params)
        filters, sort = doc_filter(params), params.choice("sort", ("date", "province", "title"), "date")
        return json_response(await call(api.list_rows, lib, filters, sort=sort))

    async def api_stats(request: Request) -> Response:
        params = Params(request.query_params)
        return json_response(await call(api.stats, lib, stats_dims(params), doc_filter(params)))

    async def api_status(request: Request) -> Response:
        return json_response(await call(api.status, lib))

    async def api_openapi(request: Request) -> Response:
        return JSONResponse(openapi_document())

    # -- errors --------------------------------------------------------------------------------------------------

    def error_response(request: Request, status_code: int, message: str, candidates: tuple[str, ...] = ()) -> Response:
        """The error as JSON under /api/ (with the candidates' ids when a title was ambiguous), else as a page."""
        if request.url.path.startswith("/api/"):
            body: dict[str, Any] = {"error": message, "status": status_code}
            if candidates:
                body["candidates"] = list(candidates)
            return JSONResponse(body, status_code=status_code)
        return page("error.html", request, status_code=status_code, status=status_code, message=message, candidates=())

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = DEFAULT_MESSAGES.get(str(exc.detail), str(exc.detail))
        response = error_response(request, exc.status_code, str(message))
        if exc.status_code == 405:
            response.headers["allow"] = "GET, HEAD"
        return response

    async def on_kb_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, KbError)
        if isinstance(exc, Ambiguous):
            ids = tuple(exc.candidates)
            if request.url.path.startswith("/api/"):
                return error_response(request, 409, str(exc).split("\n", 1)[0], ids)
            found = await call(api.summaries, lib, ids)
            return page("error.html", request, status_code=409, status=409, message=str(exc).split("\n", 1)[0],
                        candidates=found)  # fmt: skip
        status_code = 404 if isinstance(exc, NotFound) else 503 if isinstance(exc, (IndexMissing, StoreError)) else 400
        return error_response(request, status_code, str(exc))

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("error answering %s", request.url.path)
        return error_response(request, 500, "kb could not answer this request; the server log has the details")

    routes = [
        Route("/", home_page),
        Route("/search", search_page),
        Route("/show", show_redirect),
        Route("/doc/{doc_id:str}", doc_page),
        Route("/trace", trace_page),
        Route("/list", list_page),
        Route("/list.csv", list_csv),
        Route("/stats", stats_page),
        Route("/stats.csv", stats_csv),
        Route("/stats.svg", stats_svg),
        Route("/api/search", api_search),
        Route("/api/show", api_show),
        Route("/api/trace", api_trace),
        Route("/api/list", api_list),
        Route("/api/stats", api_stats),
        Route("/api/status", api_status),
        Route("/api/openapi.json", api_openapi),
        Mount("/static", StaticFiles(directory=PACKAGE / "static", follow_symlink=False), name="static"),
    ]
    hosts = allowed_hosts if allowed_hosts is not None else list(LOOPBACK_HOSTS)
    middleware = [Middleware(SecurityHeaders), Middleware(TrustedHostMiddleware, allowed_hosts=hosts)]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: on_http_error,
        KbError: on_kb_error,
        Exception: on_crash,
    }

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(api.warm, lib)  # before the first request is accepted
        yield

    app = Starlette(debug=False, routes=routes, middleware=middleware, exception_handlers=handlers, lifespan=lifespan)
    app.state.library = lib
    return app


def app_from_environment() -> Starlette:
    """The application as `kb serve --workers N` starts it in each worker process, configured by the environment
    (KB_WEB_HOME, KB_WEB_HOSTS as a comma-separated list, KB_WEB_TIMEOUT in seconds)."""
    import os

    hosts = os.environ.get("KB_WEB_HOSTS")
    return create_app(
        Path(os.environ["KB_WEB_HOME"]),
        allowed_hosts=hosts.split(",") if hosts else None,
        request_seconds=float(os.environ.get("KB_WEB_TIMEOUT", REQUEST_SECONDS)),
    )


def _download(text: str, media_type: str, filename: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _facets(facets: Any) -> list[tuple[str, list[tuple[str, int]]]]:
    """Facet counts as (name, [(value, count)]) whether the result gives pairs or objects."""
    out = []
    for facet in facets:
        if isinstance(facet, dict):
            name = facet.get("name") or facet.get("facet")
            values = [(str(v.get("value")), int(v.get("count", 0))) for v in facet.get("values", ())]
        else:
            name, raw = facet
            values = [
                (str(v[0]), int(v[1])) if not isinstance(v, dict) else (str(v["value"]), int(v["count"])) for v in raw
            ]
        if values:
            out.append((str(name), values))
    return out


@functools.cache
def _dimensions() -> tuple[str, ...]:
    from kb.report.stats import DIMENSIONS

    return tuple(DIMENSIONS)
