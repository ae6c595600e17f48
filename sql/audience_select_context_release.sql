-- Purpose: for an incident without a signature (a release regression), each exposed customer's latest error
--   event on the incident's platform and app version: their own platform, app_version, feature, error_code.
-- Params: :incident_id, :customer_ids (expanding: the eligible customers, the only ones an email speaks to),
--   :platform, :app_version, :as_of
-- Platforms compare trimmed and in any case: the release test keys "android" where an SDK writes "Android".
SELECT customer_id, platform, app_version, feature, error_code
FROM (
    SELECT
        e.customer_id, e.platform, e.app_version, e.feature, e.error_code,
        ROW_NUMBER() OVER (PARTITION BY e.customer_id ORDER BY e.occurred_at DESC, e.event_id DESC) AS rn
    FROM events e
    JOIN incident_customers ic ON ic.customer_id = e.customer_id AND ic.incident_id = :incident_id
    WHERE e.signature_id IS NOT NULL
      AND e.customer_id IN :customer_ids
      AND LOWER(TRIM(e.platform)) = LOWER(TRIM(CAST(:platform AS VARCHAR(64))))
      AND e.app_version = :app_version
      AND e.occurred_at >= ic.first_exposed_at
      AND e.occurred_at <= :as_of
) ranked
WHERE rn = 1
