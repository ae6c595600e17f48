-- Customers exposed to any of some signatures at or after :since (their exposure may have begun earlier):
-- who of a regression's erroring customers hit its symptoms. :signature_ids is an expanding list.
-- Binds: :signature_ids, :since
SELECT DISTINCT customer_id
FROM customer_signature_exposure
WHERE signature_id IN :signature_ids AND last_exposed_at >= :since
