#!/usr/bin/env bash
# Generates the C# client of the API (Kiota, the version in .config/dotnet-tools.json) from an OpenAPI
# document into a folder. The one set of options, used by .ci/generate-client (which writes
# tests/WedSync.Tests/Contract/Client) and by KiotaClientTests (which regenerates into a temporary
# folder from the live document and compares).
# Usage: generate-client.sh <document.json> <output folder>
set -euo pipefail
cd "$(dirname "$0")/../../.."
export KIOTA_TUTORIAL_ENABLED=false KIOTA_OFFLINE_ENABLED=true DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet tool run kiota generate --language CSharp --openapi "$1" --output "$2" \
    --class-name WedSyncApiClient --namespace-name WedSync.Tests.Contract.Client \
    --exclude-backward-compatible --clean-output --log-level Warning
# Run records (which document, where, when): not part of the client.
rm -f "$2/kiota-lock.json" "$2/.kiota.log"
