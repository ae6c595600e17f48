"""Deterministic random holdout and idempotency keys, both from sha256 of (campaign, customer).

The same customer in the same campaign always lands in the same arm and gets the same message id,
so a rerun, a retry or another machine makes the same decision without any stored random state.
"""

from __future__ import annotations

import hashlib

_SEPARATOR = "\x1f"  # cannot occur in an id, so ("a", "bc") and ("ab", "c") hash differently


def holdout_draw(campaign_id: str, customer_id: str) -> float:
    """A uniform number in [0, 1) that depends only on (campaign_id, customer_id)."""
    digest = hashlib.sha256(f"holdout{_SEPARATOR}{campaign_id}{_SEPARATOR}{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_held_out(campaign_id: str, customer_id: str, share: float) -> bool:
    """True when the customer is in the campaign's holdout arm (gets no email).

    Raises:
        ValueError: ``share`` is outside [0, 1).
    """
    if not 0.0 <= share < 1.0:
        raise ValueError(f"holdout share must be in [0, 1), got {share!r}")
    return holdout_draw(campaign_id, customer_id) < share


def message_id_for(campaign_id: str, customer_id: str) -> str:
    """The idempotency key of the (campaign, customer) message: 32 hex characters."""
    digest = hashlib.sha256(f"message{_SEPARATOR}{campaign_id}{_SEPARATOR}{customer_id}".encode()).hexdigest()
    return digest[:32]
