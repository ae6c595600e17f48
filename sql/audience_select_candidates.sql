-- Purpose: every customer exposed to an incident by :as_of, with the first rule that excludes them from
--   the campaign's audience (NULL reason = eligible). Rules in order: usual_traffic (exposed, but at a level the
--   signature's usual traffic explains: the detector left them out of the email audience), wrote_in (a ticket since the incident
--   began or since first exposure, whichever came first, in a pain point linked to the incident, or mentioning
--   its error code: events can reach the warehouse after the ticket they caused), wrote_since_exposed (any other ticket
--   since first exposure: its pain point may be linked to the incident only hours later, and a customer in a
--   conversation with support hears from the agent, not from a second, crossing email), open_ticket, no_email, opted_out,
--   suppressed, contacted_before (in an earlier live or sent campaign on the incident or a linked pain point,
--   holdout included), frequency_cap (proactive emails sent since :cap_since or queued in a live campaign),
--   too_late (exposed before :fresh_since, which the caller sets only once the incident is that old too).
-- Params: :incident_id, :campaign_id (rows of this campaign itself are ignored), :as_of,
--   :error_code_pattern (LIKE pattern on lower-cased redacted ticket text with '\' escapes, or NULL),
--   :cap_since, :cap_max (emails allowed per frequency window), :fresh_since
SELECT
    ic.customer_id,
    ic.first_exposed_at,
    CASE
        WHEN NOT ic.in_audience THEN 'usual_traffic'
        WHEN EXISTS (
            SELECT 1 FROM tickets t
            WHERE t.customer_id = ic.customer_id
              AND t.created_at >= CASE WHEN inc.started_at < ic.first_exposed_at
                                       THEN inc.started_at ELSE ic.first_exposed_at END
              AND t.created_at <= :as_of
              AND (
                  t.ticket_id IN (
                      SELECT tpp.ticket_id
                      FROM ticket_pain_points tpp
                      JOIN pain_point_incidents ppi ON ppi.pain_point_id = tpp.pain_point_id
                      WHERE ppi.incident_id = :incident_id
                  )
                  OR LOWER(COALESCE(t.subject_redacted, '') || ' ' || COALESCE(t.body_redacted, ''))
                      LIKE :error_code_pattern ESCAPE '\'
              )
        ) THEN 'wrote_in'
        WHEN EXISTS (
            SELECT 1 FROM tickets t
            WHERE t.customer_id = ic.customer_id
              AND t.created_at >= ic.first_exposed_at
              AND t.created_at <= :as_of
        ) THEN 'wrote_since_exposed'
        WHEN EXISTS (
            SELECT 1 FROM tickets t
            WHERE t.customer_id = ic.customer_id
              AND t.created_at <= :as_of
              AND LOWER(t.status) IN ('open', 'pending', 'new')
        ) THEN 'open_ticket'
        WHEN c.customer_id IS NULL OR c.email IS NULL OR TRIM(c.email) = '' THEN 'no_email'
        WHEN c.email_opt_in IS NULL OR NOT c.email_opt_in THEN 'opted_out'
        WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.customer_id = ic.customer_id)
            -- an uncorrelated IN list is built once (an OR inside one EXISTS scanned every suppression per customer)
            OR LOWER(c.email) IN (SELECT LOWER(s.email) FROM suppressions s WHERE s.email IS NOT NULL)
            THEN 'suppressed'
        WHEN EXISTS (
            SELECT 1
            FROM outreach_messages m
            JOIN campaigns prior ON prior.campaign_id = m.campaign_id
            WHERE m.customer_id = ic.customer_id
              AND m.campaign_id <> :campaign_id
              AND (
                  prior.incident_id = :incident_id
                  OR prior.pain_point_id IN (
                      SELECT ppi.pain_point_id FROM pain_point_incidents ppi WHERE ppi.incident_id = :incident_id
                  )
              )
              AND (
                  m.status IN ('sent', 'sending', 'unknown', 'failed')
                  OR prior.status IN ('pending_approval', 'approved', 'sending', 'sent')
              )
        ) THEN 'contacted_before'
        WHEN (
            SELECT COUNT(*)
            FROM outreach_messages m
            JOIN campaigns other ON other.campaign_id = m.campaign_id
            WHERE m.customer_id = ic.customer_id
              AND m.campaign_id <> :campaign_id
              AND (
                  (m.status IN ('sent', 'sending', 'unknown')
                   AND COALESCE(m.sent_at, m.claimed_at, m.created_at) > :cap_since)
                  OR (m.status = 'queued' AND other.status IN ('pending_approval', 'approved', 'sending'))
              )
        ) >= :cap_max THEN 'frequency_cap'
        WHEN ic.first_exposed_at < :fresh_since THEN 'too_late'
    END AS reason
FROM incident_customers ic
JOIN incidents inc ON inc.incident_id = ic.incident_id
LEFT JOIN customers c ON c.customer_id = ic.customer_id
WHERE ic.incident_id = :incident_id
  AND ic.first_exposed_at <= :as_of
ORDER BY ic.customer_id
