"""Signature normalisation: one bug is one signature, different bugs stay apart, ids are stable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detectors.signatures import (
    assign_signatures,
    normalize_message,
    normalize_messages,
    signature_catalog,
    signature_event_mask,
    signature_key,
)


@pytest.mark.parametrize(
    "variants",
    [
        [
            "Timeout after 3000ms contacting https://api.example.com/v1/pay?id=5",
            "Timeout after 12ms contacting http://pay.internal:8080/charge",
        ],
        [
            "Order 5f3a91bc failed for bob@example.com",
            "order 123456 failed for alice.smith+x@corp.co.uk",
        ],
        [
            "Upload 550e8400-e29b-41d4-a716-446655440000 rejected at 2026-01-03T10:22:33Z",
            "Upload 6BA7B810-9DAD-11D1-80B4-00C04FD430C8 rejected at 2026-02-04 11:00:00+02:00",
        ],
        [
            "Cannot open /var/data/user_123/report.pdf",
            "Cannot open /home/x/tmp/a.csv",
            "Cannot open C:\\Users\\bob\\report.pdf",
        ],
        ["Value 'abc' is invalid", 'Value "hello world" is invalid', "Value `x` is invalid"],
        ["segfault at 0xDEADBEEF", "segfault at 0x7ffee4"],
        ["retry ids 1, 2, 3 failed", "retry ids 17 failed"],
        ["  Disk   FULL\n\ton node 3 ", "disk full on node 12"],
    ],
)
def test_variants_of_one_message_collapse_to_one_pattern(variants: list[str]) -> None:
    assert len({normalize_message(text) for text in variants}) == 1


def test_different_messages_stay_apart() -> None:
    patterns = {
        normalize_message("Cannot open /tmp/a.pdf"),
        normalize_message("Permission denied for /tmp/a.pdf"),
        normalize_message("Timeout after 30 s"),
    }
    assert len(patterns) == 3


def test_apostrophes_in_words_are_not_quoted_values() -> None:
    assert normalize_message("Can't load the user's profile") == "can't load the user's profile"


def test_pattern_keeps_words_and_drops_every_variable_part() -> None:
    pattern = normalize_message("Payment 9912 for bob@example.com failed at 10:22:01 (https://x.io/a)")
    assert "payment" in pattern and "failed" in pattern
    assert not any(part in pattern for part in ("9912", "bob", "example", "10:22", "x.io"))


def test_missing_messages_normalise_to_empty_and_index_is_kept() -> None:
    messages = pd.Series(["Error 1", None, np.nan, "Error 2"], index=[10, 11, 12, 13])
    result = normalize_messages(messages)
    assert result.index.tolist() == [10, 11, 12, 13]
    assert result.tolist() == ["error <num>", "", "", "error <num>"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=8))
def test_vectorised_and_scalar_normalisation_agree(texts: list[str]) -> None:
    vectorised = normalize_messages(pd.Series(texts, dtype=object)).tolist()
    assert vectorised == [normalize_message(text) for text in texts]


def test_signature_key_is_stable_and_short() -> None:
    key = signature_key("error", "E1042", "checkout", "android", "")
    # Same inputs in another spelling (case, blanks, float code from a CSV) give the same key.
    assert signature_key(" Error ", "e1042", "Checkout", "ANDROID ", "") == key
    assert key.startswith("sig-") and len(key) == 16
    int(key[4:], 16)  # hex digits


def test_signature_key_is_known_across_runs() -> None:
    # A fixed value: a change here re-keys every signature in every warehouse (bump SIGNATURE_KEY_VERSION).
    import hashlib

    payload = "\x1f".join(["v1", "error", "e1042", "checkout", "android", ""]).encode()
    expected = "sig-" + hashlib.sha1(payload).hexdigest()[:12]
    assert signature_key("error", "E1042", "checkout", "android", "whatever") == expected
    assert expected == "sig-8386c1be84f4"  # the literal a stored warehouse holds


def test_message_enters_the_key_only_without_an_error_code() -> None:
    with_code = {signature_key("error", "E1", "f", "ios", p) for p in ("a <num>", "totally different")}
    without_code = {signature_key("error", None, "f", "ios", p) for p in ("a <num>", "totally different")}
    assert len(with_code) == 1
    assert len(without_code) == 2


def test_float_codes_from_csv_match_integer_codes() -> None:
    assert signature_key("error", 500.0, None, None, "") == signature_key("error", "500", None, None, "")


def _events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["error", "error", "error", "error", "session_start", "feature_used", "crash", "crash"],
            "error_code": ["E1", "E1", "E2", None, None, None, None, None],
            "feature": ["pay"] * 8,
            "platform": ["ios", "ios", "ios", "ios", "ios", "ios", "android", "android"],
            "message": [
                "Card 4242 declined",
                "Charge for order 9911 bounced",  # other wording, same code: same bug
                "Card 4242 declined",  # same wording, other code: other bug
                "Card 1111 declined",
                None,
                None,
                "OOM in /data/app/123/libx.so",
                "OOM in /data/app/987/libx.so",
            ],
        }
    )


def test_one_bug_is_one_signature_and_different_codes_are_not() -> None:
    signed = assign_signatures(_events())
    ids = signed["signature_id"]
    assert ids[0] == ids[1]  # one code, varying messages
    assert ids[0] != ids[2]  # another code
    assert ids[6] == ids[7]  # no code: message pattern collapses the paths
    assert ids.nunique() == 4


def test_usage_events_are_not_signatures() -> None:
    signed = assign_signatures(_events())
    assert set(signed.index) == {0, 1, 2, 3, 6, 7}
    mask = signature_event_mask(
        pd.DataFrame(
            {"name": ["session_start", "payment_error", "api.timeout", "custom", "custom", "sync"]}
        ).assign(error_code=[None, None, None, "X9", None, None])
    )
    assert mask.tolist() == [False, True, True, True, False, False]


def test_vectorised_ids_equal_the_scalar_key() -> None:
    events = _events()
    signed = assign_signatures(events)
    for index, row in signed.iterrows():
        expected = signature_key(
            row["name"], row["error_code"], row["feature"], row["platform"], normalize_message(row["message"])
        )
        assert signed.loc[index, "signature_id"] == expected


def test_optional_columns_may_be_absent() -> None:
    signed = assign_signatures(pd.DataFrame({"name": ["crash", "crash", "login"]}))
    assert len(signed) == 2 and signed["signature_id"].nunique() == 1
    assert signed["message_pattern"].tolist() == ["", ""]


def test_missing_name_column_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="name"):
        assign_signatures(pd.DataFrame({"message": ["x"]}))


def test_empty_events_give_empty_frames() -> None:
    signed = assign_signatures(pd.DataFrame({"name": pd.Series([], dtype="str")}))
    assert signed.empty and {"signature_id", "message_pattern"} <= set(signed.columns)
    assert signature_catalog(signed).empty


def test_catalog_has_one_row_per_signature_with_the_common_pattern_and_no_raw_message() -> None:
    events = pd.concat([_events(), _events().iloc[[1]]], ignore_index=True)
    catalog = signature_catalog(assign_signatures(events))
    assert catalog["signature_id"].is_unique and len(catalog) == 4
    e1 = catalog.loc[catalog["error_code"] == "E1"].iloc[0]
    assert e1["message_pattern"] == "charge for order <num> bounced"  # 2 rows against 1
    assert not catalog["message_pattern"].str.contains("4242|9911").any()


def test_error_names_in_other_tenses_and_camel_case_are_signatures() -> None:
    # Event pipelines name errors in many forms; a name the test missed made its incidents invisible unless
    # each event carried an error code.
    names = ["AppCrashed", "paymentError", "HTTPTimeout", "request timed out", "sync_failures", "upload_fault",
             "oom_kill", "ErrorOccurred"]
    usage = ["FeatureUsed", "default_view", "terror_alert", "failover_started", "errorless", "session_start"]
    mask = signature_event_mask(pd.DataFrame({"name": names + usage}))
    assert mask.tolist() == [True] * len(names) + [False] * len(usage)
    signed = assign_signatures(pd.DataFrame({"name": ["AppCrashed", "appCrashed", "FeatureUsed"]}))
    assert signed["signature_id"].nunique() == 1  # the key still reads the lowercased name: one signature
