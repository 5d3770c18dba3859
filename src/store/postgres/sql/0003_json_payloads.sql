-- Payloads (workflow inputs, results and errors; action arguments and results) are stored as
-- `json`, the client's text as written, not `jsonb`: jsonb reorders object keys, and key order
-- is observable in JavaScript (Object.keys, JSON.stringify), so a round trip through jsonb is
-- not lossless. Policies and the IR stay jsonb (the engine reads them, users never see them).
alter table waymark_instances
  alter column input type json,
  alter column result type json,
  alter column error type json;
alter table waymark_action_calls
  alter column args type json,
  alter column result type json;
alter table waymark_action_attempts
  alter column result type json;
