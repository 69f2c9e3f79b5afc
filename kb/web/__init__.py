"""Web front end: `kb serve` -> a Starlette application over the same library calls and JSON records as the CLI."""
