-- Purpose: incidents that may need a campaign at :as_of: detected by then, not closed, and either detected
--   since :since or with a customer of its email audience first exposed since :since. Most severe first, then by id.
-- Params: :as_of, :since
SELECT
    i.incident_id, i.kind, i.signature_id, i.name, i.error_code, i.feature, i.platform, i.app_version,
    i.started_at, i.detected_at, i.customer_count, i.severity, i.mrr_at_risk, i.evidence, i.message_pattern
FROM incidents i
WHERE i.detected_at <= :as_of
  AND LOWER(COALESCE(i.status, 'open')) NOT IN ('resolved', 'closed', 'dismissed')
  AND (
      i.detected_at >= :since
      OR EXISTS (
          SELECT 1 FROM incident_customers ic
          WHERE ic.incident_id = i.incident_id AND ic.in_audience AND ic.first_exposed_at >= :since AND ic.first_exposed_at <= :as_of
      )
  )
ORDER BY COALESCE(i.severity, 0) DESC, i.incident_id
