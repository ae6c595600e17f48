-- Per customer and signature, the first exposure and event count (rebuilt up to the as-of), of the
-- signatures first seen at or after :first_seen_since: only those can be new. (Reading every signature's
-- exposures each hour read 46,000 rows a run late in a 30-day replay for the five that could be new.)
-- Params: :first_seen_since
SELECT x.signature_id, x.customer_id, x.first_exposed_at, x.event_count
FROM customer_signature_exposure x
WHERE x.signature_id IN (
    SELECT signature_id
    FROM customer_signature_exposure
    GROUP BY signature_id
    HAVING MIN(first_exposed_at) >= :first_seen_since
)
