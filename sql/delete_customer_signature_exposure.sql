-- Clear per-customer signature exposure before it is rebuilt from all events.
DELETE FROM customer_signature_exposure
