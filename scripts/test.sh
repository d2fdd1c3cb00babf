#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, builds the fixtures, lints,
# type-checks, builds, and runs every test against real services.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
npm ci --no-audit --no-fund
bash fixtures/build.sh
npm run lint
npm run typecheck
npm run build

mkdir -p .cache
set +e
npx vitest run --reporter=default --reporter=json --outputFile=.cache/vitest.json "$@"
status=$?
set -e
node -e '
  const r = JSON.parse(require("fs").readFileSync(".cache/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit "$status"
