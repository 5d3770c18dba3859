-- Queue tables: a small live set and a steady stream of dead row versions (every step updates
-- its instance and call rows). The default thresholds (20 % of the live rows) let dead versions
-- outnumber live ones many times over before autovacuum runs; these make it run after ~2 %.
-- Runners also vacuum these tables themselves (src/runner/Housekeeper.ts), which is what keeps
-- them compact when autovacuum is off.
alter table waymark_instances set (
  autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000,
  autovacuum_analyze_scale_factor = 0.05);
alter table waymark_action_calls set (
  autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000,
  autovacuum_analyze_scale_factor = 0.05);
