#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, builds the fixtures, lints,
# type-checks, builds, and runs every test against real services.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
npm ci --no-audit --no-fund
mkdir -p .cache
# The Debian root filesystems (mmdebstrap, minutes when cold) build in the background while the rest
# builds and the tests that do not need them run; the tests that do wait for them (fixtures/rootfs.ts
# buildOnce) and run last (test/support/sequencer.ts).
# Its own process group, stopped with everything it started if this script ends early (a lint error).
setsid bash fixtures/build.sh --rootfs >.cache/fixtures-rootfs.log 2>&1 &
rootfs=$!
trap 'kill -- -"$rootfs" 2>/dev/null || true' EXIT
bash fixtures/build.sh --no-rootfs
npm run lint
npm run typecheck
npm run build

set +e
npx vitest run --reporter=default --reporter=json --outputFile=.cache/vitest.json "$@"
status=$?
wait "$rootfs"
rootfs_status=$?
set -e
cat .cache/fixtures-rootfs.log
if [ "$rootfs_status" -ne 0 ] && [ "$status" -eq 0 ]; then status=$rootfs_status; fi
node -e '
  const r = JSON.parse(require("fs").readFileSync(".cache/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit "$status"
