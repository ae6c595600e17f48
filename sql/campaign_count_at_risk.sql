-- Purpose: how many customers could still be exposed to an incident: those who can be emailed (an address,
--   opted in) and used the incident's scope between :since and :as_of (its feature, platform and app version,
--   each only where the incident names it). The standing approval's bound is shown to the approver from this.
-- Params: :since, :as_of, :feature, :platform, :app_version (NULL = any)
-- Platforms compare trimmed and in any case: the release test keys "android" where an SDK writes "Android".
SELECT COUNT(DISTINCT e.customer_id) AS at_risk
FROM events e
JOIN customers c ON c.customer_id = e.customer_id
WHERE e.occurred_at >= :since
  AND e.occurred_at <= :as_of
  AND (CAST(:feature AS VARCHAR(128)) IS NULL OR e.feature = :feature)
  AND (CAST(:platform AS VARCHAR(64)) IS NULL OR LOWER(TRIM(e.platform)) = LOWER(TRIM(CAST(:platform AS VARCHAR(64)))))
  AND (CAST(:app_version AS VARCHAR(64)) IS NULL OR e.app_version = :app_version)
  AND c.email_opt_in
  AND c.email IS NOT NULL
  AND TRIM(c.email) <> ''
