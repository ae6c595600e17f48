-- Purpose: whether any detect run before this as-of left a trace (pain point history or an incident);
-- a one-shot `forewarn detect` without one looks back further for incidents.
-- Params: :as_of
SELECT
    (SELECT COUNT(*) FROM pain_point_history WHERE as_of < :as_of)
    + (SELECT COUNT(*) FROM incidents WHERE detected_at < :as_of) AS n
