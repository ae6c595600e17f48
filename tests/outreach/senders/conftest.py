"""A rendered message to hand to every sender, and the local SendGrid stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from outreach.messages import render_message
from outreach.model import MessageContext, OutreachSettings, RenderedMessage, WorkaroundText
from outreach.senders.local_sendgrid import LocalSendGrid

API_KEY = "SG.test-key-never-logged"


@pytest.fixture
def rendered() -> RenderedMessage:
    ctx = MessageContext(
        message_id="0a1b2c3d4e5f", campaign_id="camp-7", customer_id="cust-9", email="zoe@example.com",
        name="Zoë Müller", locale="de", issue_summary="Der Export bricht nach der Hälfte ab",
        workaround=WorkaroundText("wa-1", "In kleineren Schritten exportieren", "1. Öffnen Sie **Berichte**.\n2. Eine Woche.", "de"),
        platform="Android", app_version="5.2.0", feature="export", first_exposed_at=datetime(2026, 3, 3),
    )
    return render_message(ctx, OutreachSettings(), "sender-test-secret-0123456789")


@pytest.fixture
def sendgrid_server() -> Iterator[LocalSendGrid]:
    with LocalSendGrid(api_key=API_KEY, hang_seconds=3.0) as server:
        yield server
