"""The JSON API fuzzed from its own OpenAPI document (schemathesis, bounded examples, fixed seed): every answer is
a documented status with a body matching its schema, and no request makes the server fail (5xx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from kb.web.app import create_app
from tests.conftest import WEB_FILES, corpus_file

EXAMPLES = 25  # per operation: six operations, a few seconds in all


def _schema() -> Any:
    # The schema is loaded at import time (schemathesis parametrizes from it); the app over a knowledge base is
    # attached per test through the fixture below.
    return schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def api_schema(web_home: Path) -> Any:
    for relative in WEB_FILES:
        corpus_file(relative)  # fails loudly when ../shared is missing
    app = create_app(web_home, allowed_hosts=["*"])
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_api_answers_as_documented(case: Case) -> None:
    response = case.call()
    case.validate_response(response, checks=(not_a_server_error, status_code_conformance,
                                             response_schema_conformance))  # fmt: skip
