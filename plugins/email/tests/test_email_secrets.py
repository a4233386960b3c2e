"""Case 34: the SMTP password never shows in logs, details or describe()."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning"
)


def test_describe_shows_server_and_recipients_without_password(make_notifier, login):
    notifier = make_notifier(
        host="smtp.example.com",
        security="starttls",
        to="ops@example.com, Jane <jane@example.com>",
        **login,
    )

    assert notifier.describe() == (
        "email smtp://smtp.example.com:587 (starttls) "
        "to ops@example.com, jane@example.com"
    )
    assert login["password"] not in repr(notifier.settings)


def test_send_failures_keep_password_out_of_logs_and_details(
    auth_mailbox, make_notifier, make_alarm, login, log_records, closed_url
):
    details = []
    for port in (auth_mailbox.port, urlsplit(closed_url).port):
        notifier = make_notifier(
            host="127.0.0.1",
            port=str(port),
            to="ops@example.com",
            username=login["username"],
            password=login["password"] + "-old",
        )
        details.append(notifier.send(make_alarm()).detail)
        details.append(notifier.describe())

    seen = repr(log_records) + " ".join(details)
    assert login["password"] not in seen
