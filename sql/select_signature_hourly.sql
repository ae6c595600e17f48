-- Hourly error counts per signature (summed over platforms and versions) in [:since, :as_of).
-- Binds: :since, :as_of
SELECT hour, signature_id, SUM(event_count) AS event_count, SUM(customer_count) AS customer_count
FROM event_hourly
WHERE hour >= :since AND hour < :as_of
GROUP BY hour, signature_id
ORDER BY signature_id, hour
