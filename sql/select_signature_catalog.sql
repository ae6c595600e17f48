-- The catalog of error signatures (how each one reads), for describing findings.
SELECT signature_id, name, error_code, feature, platform, message_pattern FROM signatures
