#!/usr/bin/env bash
# The main job: pack StreamBot.Migrations.Build and build the Stream Bot sample service against the package,
# which validates the Stream Bot's migrations/ folder exactly as a user's build would.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

dotnet pack src/StreamBot.Migrations.Build/StreamBot.Migrations.Build.csproj -c Release -o artifacts/packages -nologo -v:q
# Same version, new bits: drop the sample's cached copy so restore takes the package just packed.
rm -rf artifacts/sample-packages/streambot.migrations.build
dotnet build samples/StreamBot.Service/StreamBot.Service.csproj -c Release -nologo -v:n -nodeReuse:false --no-incremental "$@" \
  | grep -E 'StreamBot\.Migrations:|SBM[0-9]{4}|Skipping target "ValidateMigrations"|Build succeeded|Build FAILED|: error [A-Z]+[0-9]+' || true
exit "${PIPESTATUS[0]}"
