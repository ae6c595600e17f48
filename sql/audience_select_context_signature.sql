-- Purpose: each exposed customer's own situation from their latest event of the incident's bug
--   (platform, app_version, feature, error_code), so the email speaks to what they saw. One bug may span
--   several signatures (one per platform): they share name, error code and feature (and the message
--   pattern when there is no code), as the detector groups them.
-- Params: :incident_id, :customer_ids (expanding: the eligible customers, the only ones an email speaks to),
--   :signature_id, :as_of
SELECT customer_id, platform, app_version, feature, error_code
FROM (
    SELECT
        e.customer_id, e.platform, e.app_version, e.feature, e.error_code,
        ROW_NUMBER() OVER (PARTITION BY e.customer_id ORDER BY e.occurred_at DESC, e.event_id DESC) AS rn
    FROM events e
    JOIN incident_customers ic ON ic.customer_id = e.customer_id AND ic.incident_id = :incident_id
    LEFT JOIN signatures s ON s.signature_id = e.signature_id
    LEFT JOIN signatures s0 ON s0.signature_id = :signature_id
    WHERE e.signature_id IS NOT NULL
      AND e.customer_id IN :customer_ids
      AND (e.signature_id = :signature_id OR (
            s0.signature_id IS NOT NULL
            AND s.name IS NOT DISTINCT FROM s0.name
            AND s.error_code IS NOT DISTINCT FROM s0.error_code
            AND s.feature IS NOT DISTINCT FROM s0.feature
            AND (s0.error_code IS NOT NULL OR s.message_pattern IS NOT DISTINCT FROM s0.message_pattern)))
      AND e.occurred_at >= ic.first_exposed_at
      AND e.occurred_at <= :as_of
) ranked
WHERE rn = 1
