export {
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
  ensureEmbeddedPostgres,
} from "./ensureEmbeddedPostgres.js";
export {
  embeddedHome,
  releaseEmbeddedDatabase,
  resolveDatabaseUrl,
  usingEmbeddedDatabase,
} from "./resolveDatabaseUrl.js";
