-- Clear per-customer signature exposure before it is rebuilt for a new as-of.
DELETE FROM customer_signature_exposure
