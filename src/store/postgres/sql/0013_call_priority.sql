-- Action calls carry their instance's priority (0011_start_options.sql), set when they are
-- dispatched: workers claim queued calls with a priority first, highest first, then the others
-- by due time (claimActions.ts). A call's priority never changes.
alter table waymark_action_calls add column priority integer not null default 0;
create index waymark_action_calls_urgent on waymark_action_calls (action_name, priority desc, scheduled_at)
  where status = 'queued' and priority > 0;
