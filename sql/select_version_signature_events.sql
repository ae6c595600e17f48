-- Error events per signature on one platform and app version in [:since, :until), with what the
-- signature is about: the symptoms of a release regression are the signatures its version errs on.
-- Binds: :platform, :app_version, :since, :until
-- Platforms compare trimmed and in any case: the release test keys "android" where an SDK writes "Android".
SELECT h.signature_id, s.name, s.error_code, s.feature, SUM(h.event_count) AS events
FROM event_hourly h
JOIN signatures s ON s.signature_id = h.signature_id
WHERE LOWER(TRIM(h.platform)) = LOWER(TRIM(CAST(:platform AS VARCHAR(64)))) AND h.app_version = :app_version AND h.hour >= :since AND h.hour < :until
GROUP BY h.signature_id, s.name, s.error_code, s.feature
