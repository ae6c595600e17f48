-- Report: customers exposed to each incident and their MRR (used when an incident has no mrr_at_risk).
-- Params: none
SELECT ic.incident_id, COUNT(*) AS customers, SUM(c.mrr) AS mrr
FROM incident_customers ic
LEFT JOIN customers c ON c.customer_id = ic.customer_id
GROUP BY ic.incident_id
