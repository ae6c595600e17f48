-- Clear the daily per-signature, per-version error customers from :since on, before those days are recounted.
-- Binds: :since
DELETE FROM signature_version_daily WHERE day >= :since
