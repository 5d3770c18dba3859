-- One lock order for every statement that settles a wait or ends an instance: the delivery
-- advisory lock of an instance (0010_signals_children.sql), then its call rows, then its
-- instance row — the order of completions (completeActions.ts) and of waymark_settle_waits.
--
-- waymark_send_signal took a share lock on the instance row before the delivery lock, so a
-- send and a delivery to the same instance (the runner delivering kept signals to waits it just
-- wrote, or a wait's deadline settling) could each hold what the other waited for: a deadlock,
-- reported to the sender. It now takes the delivery lock first and reads the status without a
-- row lock. A signal accepted while the instance's end commits is kept unconsumed, as one sent
-- just before that end would be: the end is not delayed for it.
create or replace function waymark_send_signal(p_id bigint, p_name text, p_payload json) returns text
language plpgsql as $$
declare
  st text;
begin
  perform pg_advisory_xact_lock(22349, (p_id % 2147483647)::int);
  select status into st from waymark_instances where id = p_id;
  if st is null then
    return 'missing';
  end if;
  if st in ('completed', 'failed', 'cancelled') then
    return st;
  end if;
  insert into waymark_signals (instance_id, name, payload) values (p_id, p_name, p_payload);
  perform waymark_deliver_signals(array[p_id]);
  return 'sent';
end
$$;
