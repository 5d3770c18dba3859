export {
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
  ensureEmbeddedPostgres,
} from "./ensureEmbeddedPostgres.js";
export { releaseEmbeddedDatabase, resolveDatabaseUrl } from "./resolveDatabaseUrl.js";
