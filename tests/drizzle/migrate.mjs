// Runs drizzle-orm's own migrator, as a Stream Bot deploy did: node migrate.mjs URL FOLDER [SCHEMA] [TABLE]
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

const [url, migrationsFolder, migrationsSchema, migrationsTable] = process.argv.slice(2);
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  await migrate(drizzle(client), {
    migrationsFolder,
    migrationsSchema: migrationsSchema || undefined,
    migrationsTable: migrationsTable || undefined,
  });
} finally {
  await client.end();
}
