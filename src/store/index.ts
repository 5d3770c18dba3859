export { DEFAULT_DATABASE_URL, type EngineConfig, loadConfig } from "./config.js";
export { listMigrations, migrate } from "./postgres/migrate.js";
export { PostgresStore } from "./postgres/PostgresStore.js";
export { closePools, getPool, withTransaction } from "./postgres/pool.js";
export { VersionConflictError } from "./postgres/queries/registerVersion.js";
export type { Store } from "./Store.js";
