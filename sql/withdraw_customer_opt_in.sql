-- Purpose: withdraw the email opt-in of customers whose row in this load says opted out, or whose
-- opt-in could not be read, while the row was quarantined (an earlier "true" must not stay in force).
-- Params: :customer_ids (expanding)
UPDATE customers SET email_opt_in = false
WHERE email_opt_in = true AND customer_id IN :customer_ids
