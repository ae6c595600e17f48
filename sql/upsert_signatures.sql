-- Record error signatures and widen their first/last seen times.
-- Binds: :signature_id, :name, :error_code, :feature, :platform, :message_pattern, :first_seen_at, :last_seen_at
INSERT INTO signatures (signature_id, name, error_code, feature, platform, message_pattern, first_seen_at, last_seen_at)
VALUES (:signature_id, :name, :error_code, :feature, :platform, :message_pattern, :first_seen_at, :last_seen_at)
ON CONFLICT (signature_id) DO UPDATE SET
    first_seen_at = CASE WHEN excluded.first_seen_at < signatures.first_seen_at
                         THEN excluded.first_seen_at ELSE signatures.first_seen_at END,
    last_seen_at = CASE WHEN excluded.last_seen_at > signatures.last_seen_at
                        THEN excluded.last_seen_at ELSE signatures.last_seen_at END
WHERE excluded.first_seen_at < signatures.first_seen_at OR excluded.last_seen_at > signatures.last_seen_at
