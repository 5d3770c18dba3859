export {
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
  ensureEmbeddedPostgres,
} from "./ensureEmbeddedPostgres.js";
export {
  describeDatabase,
  embeddedHome,
  releaseEmbeddedDatabase,
  resolveDatabaseUrl,
  usingEmbeddedDatabase,
} from "./resolveDatabaseUrl.js";
