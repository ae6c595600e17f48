-- What each incident says (error code and message pattern), for matching ticket text.
SELECT incident_id, error_code, message_pattern FROM incidents
