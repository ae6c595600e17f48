"""Some affected customers write in about an incident, after they met it, in their own words."""

from __future__ import annotations

import pandas as pd
from simworld import World, incidents, read_csv


def _truth(world: World) -> pd.DataFrame:
    truth = read_csv(world.path / "truth" / "ticket_pain_points.csv")
    return world.tickets.merge(truth, on="ticket_id", validate="one_to_one")


def test_a_share_of_affected_customers_write_in_after_first_exposure(world: World) -> None:
    tickets = _truth(world)
    writers = affected_total = 0
    for item in incidents(world.path):
        signature = item["signature"]
        about = tickets[tickets["incident_id"] == item["incident_id"]]
        affected = set(item["affected_customer_ids"])
        assert len(about) == item["ticket_count"] and set(about["customer_id"]) <= affected
        assert len(affected) < 20 or len(about) > 0, item["incident_id"]
        writers += about["customer_id"].nunique()
        affected_total += len(affected)
        hits = world.events[(world.events["error_code"] == signature["error_code"])
                            & world.events["customer_id"].isin(affected)]
        if signature["app_version"]:
            hits = hits[hits["app_version"] == signature["app_version"]]
        first = hits.groupby("customer_id")["t"].min()
        assert (about["t"].to_numpy() > first[about["customer_id"]].to_numpy()).all(), "tickets follow exposure"
        delay = about["t"].to_numpy() - first[about["customer_id"]].to_numpy()
        assert pd.Series(delay).max() > pd.Timedelta(hours=3), "hours to days later, not instantly"
    assert 0.15 <= writers / affected_total <= 0.5, "some, not all, affected customers write in"


def test_incident_tickets_are_worded_differently(world: World) -> None:
    tickets = _truth(world)
    about = tickets[tickets["incident_id"] != ""]
    assert about["body"].nunique() == len(about)
    assert about["subject"].nunique() >= 0.3 * len(about)
    mentions = 0
    for item in incidents(world.path):
        mine = about[about["incident_id"] == item["incident_id"]]
        mentions += mine["body"].str.contains(item["signature"]["error_code"], regex=False).sum()
    assert 0 < mentions < 0.7 * len(about), "some mention the error code, many do not"


def test_background_pain_points_repeat_with_many_phrasings(world: World) -> None:
    tickets = _truth(world)
    recurring = tickets[(tickets["incident_id"] == "") & ~tickets["pain_point"].str.startswith("one_off:")]
    top = recurring["pain_point"].value_counts()
    assert top.iloc[0] >= 5
    for pain_point in top.index[:5]:
        mine = recurring[recurring["pain_point"] == pain_point]
        assert mine["body"].nunique() == len(mine)
        assert mine["subject"].str.lower().nunique() >= 2
