-- Purpose: when each incident's evidence first crossed its threshold (incidents.evidence_at, added by a
--   later revision); the backtest reads it only when the column exists.
-- Binds: none
SELECT incident_id, evidence_at
FROM incidents
