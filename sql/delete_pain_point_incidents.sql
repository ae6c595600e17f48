-- Forget all links before they are recomputed for a new as-of.
DELETE FROM pain_point_incidents
