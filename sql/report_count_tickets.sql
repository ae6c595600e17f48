-- Report: tickets created in the report period and in the period before it, and customers overall.
-- Params: :previous_start (timestamp), :start (timestamp), :end (timestamp, exclusive)
SELECT
    (SELECT COUNT(*) FROM tickets WHERE created_at >= :start AND created_at < :end) AS this_period,
    (SELECT COUNT(*) FROM tickets WHERE created_at >= :previous_start AND created_at < :start) AS previous_period,
    (SELECT COUNT(*) FROM customers) AS customers_total
