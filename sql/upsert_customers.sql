-- Insert new customers and update changed ones; an unchanged row is left alone (its loaded_at too),
-- so loading the same interval twice changes nothing.
-- Binds: :customer_id, :email, :name, :locale, :plan, :mrr, :email_opt_in, :created_at, :extra, :source, :loaded_at
INSERT INTO customers (customer_id, email, name, locale, plan, mrr, email_opt_in, created_at, extra, source, loaded_at)
VALUES (:customer_id, :email, :name, :locale, :plan, :mrr, :email_opt_in, :created_at, :extra, :source, :loaded_at)
ON CONFLICT (customer_id) DO UPDATE SET
    email = excluded.email,
    name = excluded.name,
    locale = excluded.locale,
    plan = excluded.plan,
    mrr = excluded.mrr,
    email_opt_in = excluded.email_opt_in,
    created_at = excluded.created_at,
    extra = excluded.extra,
    source = excluded.source,
    loaded_at = excluded.loaded_at
WHERE customers.email IS DISTINCT FROM excluded.email
   OR customers.name IS DISTINCT FROM excluded.name
   OR customers.locale IS DISTINCT FROM excluded.locale
   OR customers.plan IS DISTINCT FROM excluded.plan
   OR customers.mrr IS DISTINCT FROM excluded.mrr
   OR customers.email_opt_in IS DISTINCT FROM excluded.email_opt_in
   OR customers.created_at IS DISTINCT FROM excluded.created_at
   OR customers.extra IS DISTINCT FROM excluded.extra
