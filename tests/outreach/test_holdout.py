"""The holdout is deterministic per (campaign, customer) and about the configured share."""

from __future__ import annotations

import pytest

from outreach.holdout import is_held_out, message_id_for


def test_holdout_share_is_about_ten_percent_on_ten_thousand_ids() -> None:
    held = sum(is_held_out("cmp-inc1", f"cust-{i}", 0.10) for i in range(10_000))
    # Binomial(10000, 0.1): mean 1000, sd 30; four sd either side fails by chance about once in 16,000 runs.
    assert 880 <= held <= 1120


def test_same_customer_same_campaign_always_lands_in_the_same_arm() -> None:
    first = [is_held_out("cmp-inc1", f"cust-{i}", 0.1) for i in range(2000)]
    again = [is_held_out("cmp-inc1", f"cust-{i}", 0.1) for i in range(2000)]
    other_campaign = [is_held_out("cmp-inc2", f"cust-{i}", 0.1) for i in range(2000)]
    assert first == again
    assert first != other_campaign  # a new campaign draws a new holdout


def test_larger_share_keeps_everyone_held_out_by_the_smaller_one() -> None:
    ids = [f"cust-{i}" for i in range(3000)]
    small = {c for c in ids if is_held_out("cmp", c, 0.05)}
    large = {c for c in ids if is_held_out("cmp", c, 0.20)}
    assert small <= large
    assert not any(is_held_out("cmp", c, 0.0) for c in ids)


def test_share_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="holdout share must be in"):
        is_held_out("cmp", "c", 1.0)


def test_message_id_is_stable_and_distinct_per_pair() -> None:
    assert message_id_for("cmp", "c1") == message_id_for("cmp", "c1")
    assert len({message_id_for("cmp", f"c{i}") for i in range(1000)} | {message_id_for("cmp2", "c1")}) == 1001
    assert message_id_for("a", "bc") != message_id_for("ab", "c")
