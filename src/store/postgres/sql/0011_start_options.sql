-- Start options: idempotency keys, priority, delayed starts (`new Wf({ idempotencyKey,
-- priority, startAfter }).start(…)`).
--
-- priority: higher first; runners claim due instances with priority > 0 first, highest first,
--   then the others by age (claimInstances.ts). A child inherits its parent's.
-- idempotency_key: with workflow_name, names at most one instance (the unique index). A start
--   with a key that names an instance returns that instance: decided by one statement (the
--   upsert in waymark_start), so concurrent starts with one key make exactly one instance.
--   input_hash is the sha-256 of the encoded input: a reused key with another input is refused.
-- A key is released WAYMARK_IDEMPOTENCY_HOURS after its instance ended (the start that finds it
--   expired clears it from the old row, then inserts a new one).
alter table waymark_instances
  add column priority integer not null default 0,
  add column idempotency_key text,
  add column input_hash text;
create unique index waymark_instances_idempotency on waymark_instances (workflow_name, idempotency_key)
  where idempotency_key is not null;
-- The claim's first pick: due instances that outrank the default priority.
create index waymark_instances_urgent on waymark_instances (priority desc, wake_at)
  where priority > 0 and wake_at is not null;

-- Queues an instance with start options. Returns its id, whether this call inserted it, and the
-- input hash and status of the instance (an existing one, for a reused key). `p_delay_ms`: the
-- instance starts no earlier than that from now (a delayed instance is not announced: the
-- claim picks it up at its wake-up).
create function waymark_start(p_version bigint, p_name text, p_input json, p_key text,
                              p_hash text, p_priority int, p_delay_ms float8, p_keep_hours float8,
                              p_announce boolean)
returns table (id bigint, inserted boolean, input_hash text, status text)
language plpgsql as $$
declare
  v_id bigint;
  v_inserted boolean;
  v_hash text;
  v_status text;
  v_wake timestamptz := case when p_delay_ms > 0 then now() + p_delay_ms * interval '1 millisecond'
                             when p_announce then now() + interval '1000 milliseconds'
                             else now() end;
begin
  if p_key is not null then
    update waymark_instances w set idempotency_key = null
      where w.workflow_name = p_name and w.idempotency_key = p_key
        and w.finished_at < now() - p_keep_hours * interval '1 hour';
  end if;
  insert into waymark_instances as w (version_id, workflow_name, input, status, wake_at, priority,
                                      idempotency_key, input_hash)
    values (p_version, p_name, p_input, 'queued', v_wake, p_priority, p_key, p_hash)
  on conflict (workflow_name, idempotency_key) where idempotency_key is not null
    -- A no-op update: it locks and returns the row that holds the key, even one committed after
    -- this statement began (a plain DO NOTHING would return nothing and a read would not see it).
    do update set idempotency_key = excluded.idempotency_key
  returning w.id, (w.xmax = 0), w.input_hash, w.status into v_id, v_inserted, v_hash, v_status;
  if v_inserted then
    if p_announce and p_delay_ms <= 0 then
      perform pg_notify('waymark_instances', json_build_object('i', v_id::text, 'v', p_version::text,
                                                               'w', p_name, 'x', p_input)::text);
    elsif p_delay_ms <= 0 then
      perform pg_notify('waymark_instances', '');
    end if;
  end if;
  return query select v_id, v_inserted, v_hash, v_status;
end
$$;
