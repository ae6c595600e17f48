-- Keep one correction of a pain point, with who made it and when.
-- Binds: :pain_point_id, :action, :by, :at, :label, :other_ids (JSON list), :phrase, :ticket_ids (JSON list),
--        :new_pain_point_id, :snapshot_ticket_ids (JSON list)
INSERT INTO pain_point_corrections (pain_point_id, action, "by", at, label, other_ids, phrase, ticket_ids,
                                    new_pain_point_id, snapshot_ticket_ids)
VALUES (:pain_point_id, :action, :by, :at, :label, :other_ids, :phrase, :ticket_ids, :new_pain_point_id, :snapshot_ticket_ids)
