-- Record a link between a pain point and the incident its authors hit before writing.
-- Binds: :pain_point_id, :incident_id, :lift, :p_value, :q_value, :exposed_authors, :expected_exposed_authors,
--        :authors, :exposed_customers, :text_match, :strength, :as_of
INSERT INTO pain_point_incidents (pain_point_id, incident_id, lift, p_value, q_value, exposed_authors,
                                  expected_exposed_authors, authors, exposed_customers, text_match, strength, as_of)
VALUES (:pain_point_id, :incident_id, :lift, :p_value, :q_value, :exposed_authors,
        :expected_exposed_authors, :authors, :exposed_customers, :text_match, :strength, :as_of)
