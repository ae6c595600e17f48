-- Forget pain-point assignments of tickets in the window being re-clustered.
-- Binds: :since, :as_of
DELETE FROM ticket_pain_points
WHERE ticket_id IN (SELECT ticket_id FROM tickets WHERE created_at >= :since AND created_at < :as_of)
