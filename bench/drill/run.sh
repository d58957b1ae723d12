#!/usr/bin/env bash
# The wedding-day drill (issue 22): a scripted incident sequence against the real product (AppHost, local
# PostgreSQL, the API with the production sampler interval), writing bench/out/drill.md.
# DRILL_HOLD_SECONDS (default 60) is how long the lock, the runaway query and the queues are held.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/WedSync.Tests -c Debug -v q
WEDSYNC_DRILL=1 dotnet test tests/WedSync.Tests --no-build --filter "FullyQualifiedName~WeddingDayDrillTests" \
    --logger "console;verbosity=detailed" --results-directory bench/out/drill-results
cat bench/out/drill.md
