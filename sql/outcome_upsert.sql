-- Purpose: store (or replace) a campaign's measured outcome. ci_low/ci_high: holdout rate minus treated rate;
--   csat_ci_low/csat_ci_high: treated CSAT minus holdout CSAT; NULL intervals mean "not enough data".
-- Params: :campaign_id, :measured_at, :window_days, :treated, :holdout, :treated_tickets, :holdout_tickets,
--   :treated_ticket_rate, :holdout_ticket_rate, :ci_low, :ci_high, :deflected_tickets, :deflected_ci_low,
--   :deflected_ci_high, :treated_csat, :holdout_csat, :csat_ci_low, :csat_ci_high
INSERT INTO campaign_outcomes (
    campaign_id, measured_at, window_days, treated, holdout, treated_tickets, holdout_tickets,
    treated_ticket_rate, holdout_ticket_rate, ci_low, ci_high, deflected_tickets, deflected_ci_low,
    deflected_ci_high, treated_csat, holdout_csat, csat_ci_low, csat_ci_high
) VALUES (
    :campaign_id, :measured_at, :window_days, :treated, :holdout, :treated_tickets, :holdout_tickets,
    :treated_ticket_rate, :holdout_ticket_rate, :ci_low, :ci_high, :deflected_tickets, :deflected_ci_low,
    :deflected_ci_high, :treated_csat, :holdout_csat, :csat_ci_low, :csat_ci_high
)
ON CONFLICT (campaign_id) DO UPDATE SET
    measured_at = excluded.measured_at,
    window_days = excluded.window_days,
    treated = excluded.treated,
    holdout = excluded.holdout,
    treated_tickets = excluded.treated_tickets,
    holdout_tickets = excluded.holdout_tickets,
    treated_ticket_rate = excluded.treated_ticket_rate,
    holdout_ticket_rate = excluded.holdout_ticket_rate,
    ci_low = excluded.ci_low,
    ci_high = excluded.ci_high,
    deflected_tickets = excluded.deflected_tickets,
    deflected_ci_low = excluded.deflected_ci_low,
    deflected_ci_high = excluded.deflected_ci_high,
    treated_csat = excluded.treated_csat,
    holdout_csat = excluded.holdout_csat,
    csat_ci_low = excluded.csat_ci_low,
    csat_ci_high = excluded.csat_ci_high
