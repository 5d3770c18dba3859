export { type EngineConfig, loadConfig, resolveConfig } from "./config.js";
export {
  describeDatabase,
  ensureEmbeddedPostgres,
  releaseEmbeddedDatabase,
  resolveDatabaseUrl,
} from "./embedded/index.js";
export { listMigrations, migrate } from "./postgres/migrate.js";
export { PostgresStore } from "./postgres/PostgresStore.js";
export { closePools, getPool, withTransaction } from "./postgres/pool.js";
export { VersionConflictError } from "./postgres/queries/registerVersion.js";
export type { Store } from "./Store.js";
