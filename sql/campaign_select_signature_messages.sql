-- Purpose: the message pattern of each signature asked for (a release regression's symptoms), for workaround matching.
-- Params: :signature_ids (expanding)
SELECT signature_id, message_pattern
FROM signatures
WHERE signature_id IN :signature_ids
