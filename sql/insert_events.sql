-- Insert product events; events never change, so a row already present is skipped (idempotent reruns).
-- Binds: :event_id, :customer_id, :occurred_at, :occurred_hour, :name, :feature, :app_version, :platform,
--        :error_code, :message, :signature_id, :extra, :source, :loaded_at
INSERT INTO events (event_id, customer_id, occurred_at, occurred_hour, name, feature, app_version, platform,
                    error_code, message, signature_id, extra, source, loaded_at)
VALUES (:event_id, :customer_id, :occurred_at, :occurred_hour, :name, :feature, :app_version, :platform,
        :error_code, :message, :signature_id, :extra, :source, :loaded_at)
ON CONFLICT (event_id) DO NOTHING
