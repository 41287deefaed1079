#!/usr/bin/env bash
# The main job, on a fresh machine: pack StreamBot.Migrations.Build, then drive the Stream Bot sample service
# through the package exactly as a user would:
#   validate (dotnet build, SARIF beside the outputs) -> rehearse (HTML timelines beside the outputs) -> status -> apply -> status -> the service reads its settings -> rollback -> status.
# Uses $DATABASE_URL when set; otherwise a throwaway local PostgreSQL server (eng/ThrowawayPostgres), stopped at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

step() { printf '\n==> %s\n' "$*"; }

step "Packing StreamBot.Migrations.Build into artifacts/packages"
dotnet pack src/StreamBot.Migrations.Build/StreamBot.Migrations.Build.csproj -c Release -o artifacts/packages -nologo -v:q
# Same version, new bits: drop the sample's cached copy so restore takes the package just packed.
rm -rf artifacts/sample-packages/streambot.migrations.build

if [ -z "${DATABASE_URL:-}" ]; then
  # The product's own throwaway server (the one rehearse and the tests use), through a small tool under eng/.
  server=(dotnet run --project eng/ThrowawayPostgres -c Release --no-launch-profile --)
  dotnet build eng/ThrowawayPostgres -c Release -nologo -v:q
  read -r server_dir DATABASE_URL < <("${server[@]}" start)
  [ -n "${server_dir:-}" ] || { echo "Could not start a throwaway PostgreSQL (see above)." >&2; exit 1; }
  trap '"${server[@]}" stop "$server_dir"' EXIT
  export DATABASE_URL
  step "Started a throwaway PostgreSQL in $server_dir on ${DATABASE_URL##*@}"
else
  step "Using DATABASE_URL (${DATABASE_URL##*@})"
fi

sample=samples/StreamBot.Service/StreamBot.Service.csproj
build() { dotnet build "$sample" -nologo -v:m -nodeReuse:false "$@"; }

step "dotnet build (validates ../../migrations; the findings also as SARIF for code scanning)"
build --no-incremental -v:n -p:MigrationsSarif=true | grep -E 'StreamBot\.Migrations:|SBM[0-9]{4}|Build succeeded|Build FAILED' || true
step "dotnet build -t:RehearseMigrations (apply, roll back, apply again on a scratch database, with the lock trace; its timelines as HTML)"
build -t:RehearseMigrations -p:MigrationsRehearseFormat=html
step "dotnet build -t:MigrationStatus"
build -t:MigrationStatus
step "dotnet build -t:ApplyMigrations"
build -t:ApplyMigrations
step "dotnet build -t:MigrationStatus"
build -t:MigrationStatus
step "The service starts against the migrated schema"
psql -X -q "$DATABASE_URL" <<'SQL'
INSERT INTO users (email, display_name) VALUES ('nova@example.com', 'NovaPlays') ON CONFLICT DO NOTHING;
INSERT INTO bot_configs (user_id, is_active, command_prefix) SELECT id, true, '!' FROM users WHERE email = 'nova@example.com' ON CONFLICT DO NOTHING;
INSERT INTO platform_connections (user_id, platform, platform_user_id) SELECT id, 'twitch', 'tw-1001' FROM users WHERE email = 'nova@example.com' ON CONFLICT DO NOTHING;
SQL
dotnet run --project "$sample" -nologo -v:q
step "dotnet build -t:RollbackMigration -p:Migration=0003_add_platform_user_unique_constraint"
build -t:RollbackMigration -p:Migration=0003_add_platform_user_unique_constraint
step "dotnet build -t:MigrationStatus"
build -t:MigrationStatus
