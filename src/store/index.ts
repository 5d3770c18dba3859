export type { Store } from "./Store.js";
export { PostgresStore } from "./postgres/PostgresStore.js";
export { migrate, listMigrations } from "./postgres/migrate.js";
export { getPool, closePools, withTransaction } from "./postgres/pool.js";
export { VersionConflictError } from "./postgres/queries/registerVersion.js";
export { loadConfig, DEFAULT_DATABASE_URL, type EngineConfig } from "./config.js";
