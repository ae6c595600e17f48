-- Per day, platform, app version and error signature: the distinct customers who hit it, before :as_of,
-- on the platforms of the releases the regression test judges, leaving out the signatures in :excluded
-- (errors another incident already explains). The per-signature release test reads these: a new crash on
-- one version stands out against that signature's own rate on the previous version, where the count of
-- customers with any error drowns it in the everyday errors.
-- Naming the signatures lets the planner read the error events through the partial errors index.
-- Only events from :errors_since (the judged releases' days and their baselines).
-- Binds: :excluded, :platforms (expanding lists), :as_of, :errors_since
SELECT substr(occurred_hour, 1, 10) || ' 00:00:00' AS day, platform, app_version, signature_id,
       COUNT(DISTINCT customer_id) AS erroring_customers
FROM events
WHERE signature_id IN (SELECT signature_id FROM signatures) AND signature_id NOT IN :excluded
  AND occurred_at >= :errors_since AND occurred_at < :as_of AND platform IN :platforms AND app_version IS NOT NULL
GROUP BY substr(occurred_hour, 1, 10), platform, app_version, signature_id
