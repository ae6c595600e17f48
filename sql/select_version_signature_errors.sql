-- Per day, platform, app version and error signature: the distinct customers who hit it, before :as_of,
-- on the platforms of the releases the regression test judges, leaving out the signatures in :excluded
-- (errors another incident already explains). The per-signature release test reads these: a new crash on
-- one version stands out against that signature's own rate on the previous version, where the count of
-- customers with any error drowns it in the everyday errors.
-- Only days from :errors_since (the judged releases' days and their baselines).
-- Binds: :excluded, :platforms (expanding lists), :as_of, :errors_since
SELECT day, platform, app_version, signature_id, erroring_customers
FROM signature_version_daily
WHERE day >= :errors_since AND day < :as_of AND platform IN :platforms AND signature_id NOT IN :excluded
