-- What a stored incident is about, replaced: a spike or new signature that turned out to be the symptom
-- of a release regression becomes that regression (same id, so its campaign and approval carry on).
-- Binds: :incident_id, :kind, :signature_id, :name, :error_code, :feature, :platform, :app_version, :message_pattern
UPDATE incidents
SET kind = :kind, signature_id = :signature_id, name = :name, error_code = :error_code, feature = :feature,
    platform = :platform, app_version = :app_version, message_pattern = :message_pattern
WHERE incident_id = :incident_id
