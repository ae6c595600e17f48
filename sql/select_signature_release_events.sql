-- Error events of some signatures per platform and app version in [:since, :as_of), from the hourly
-- aggregate: does an incident fall on one release or across many? :signature_ids is an expanding list.
-- Binds: :signature_ids, :since, :as_of
SELECT platform, app_version, SUM(event_count) AS event_count
FROM event_hourly
WHERE signature_id IN :signature_ids AND hour >= :since AND hour < :as_of
GROUP BY platform, app_version
