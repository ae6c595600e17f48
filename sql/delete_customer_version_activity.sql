-- Clear per-customer version activity before it is rebuilt from all events.
DELETE FROM customer_version_activity
