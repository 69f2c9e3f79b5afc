#!/usr/bin/env bash
# The whole test suite: lint, format, types, tests (the README's test command; .ci/run runs it after installing).
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check .
ruff format --check .
mypy kb
python -m pytest -q -p no:cacheprovider "$@"
