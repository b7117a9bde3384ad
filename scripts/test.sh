#!/usr/bin/env bash
# The whole suite: ruff; import-linter; mypy; pytest on SQLite; again on PostgreSQL + Redis when GOVHALL_TEST_DATABASE_URL /
# GOVHALL_TEST_REDIS_URL are set; browser tests (Playwright, Debian's Chromium) when /usr/bin/chromium exists.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Two test processes: the machine has two cores (pytest-django gives each its own test database).
WORKERS="${GOVHALL_TEST_WORKERS:-2}"
export GOVHALL_VAR_DIR="${GOVHALL_VAR_DIR:-$(mktemp -d -t govhall-test-XXXXXX)}"
unset GOVHALL_DATABASE_URL GOVHALL_REDIS_URL

echo "== ruff"
$BIN/ruff check govhall tests bench
$BIN/ruff format --check govhall tests bench

echo "== import-linter (the layer order of docs/architecture.md)"
$BIN/lint-imports

echo "== mypy (types, django-stubs; config in pyproject.toml)"
$BIN/mypy govhall

echo "== pytest on SQLite"
$BIN/pytest -q -n "$WORKERS" -m "not browser and not postgres"

# The suite must pass whatever the machine's clock says: CI runs the SQLite pass again with the process
# clock moved ahead (GOVHALL_TEST_CLOCK_AHEAD=+400d, Debian's faketime). The monotonic clock stays real:
# libfaketime hangs timed waits when it fakes it (see tests/conftest.py).
if [ -n "${GOVHALL_TEST_CLOCK_AHEAD:-}" ]; then
  command -v faketime >/dev/null 2>&1 || { echo "GOVHALL_TEST_CLOCK_AHEAD needs faketime (apt-get install faketime)"; exit 1; }
  echo "== pytest on SQLite, clock moved ${GOVHALL_TEST_CLOCK_AHEAD} ($(faketime -f "$GOVHALL_TEST_CLOCK_AHEAD" date +%F))"
  FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "$GOVHALL_TEST_CLOCK_AHEAD" \
    $BIN/pytest -q -n "$WORKERS" -m "not browser and not postgres"
fi

if [ -n "${GOVHALL_TEST_DATABASE_URL:-}" ]; then
  echo "== pytest on PostgreSQL${GOVHALL_TEST_REDIS_URL:+ + Redis}"
  GOVHALL_DATABASE_URL="$GOVHALL_TEST_DATABASE_URL" GOVHALL_REDIS_URL="${GOVHALL_TEST_REDIS_URL:-}" \
    $BIN/pytest -q -n "$WORKERS" -m "not browser"
else
  echo "== PostgreSQL pass skipped: GOVHALL_TEST_DATABASE_URL is not set"
fi

if [ -x /usr/bin/chromium ]; then
  echo "== browser tests (Playwright, /usr/bin/chromium)"
  DJANGO_ALLOW_ASYNC_UNSAFE=true $BIN/pytest -q -m browser
else
  echo "== browser tests skipped: /usr/bin/chromium is missing"
fi
