"""The ``token`` screen: only senders that know the webhook secret get in."""

from __future__ import annotations

import json

from loguru import logger

from gateway.kit import Alarm
from gateway.kit import GatewayConfig
from gateway.kit import InboundRequest
from gateway.kit import Rejection
from gateway.kit import hookimpl
from gateway.kit import register_secret

from alarmhugger_token._find import QUERY_NAME
from alarmhugger_token._find import BodyFields
from alarmhugger_token._find import Candidate
from alarmhugger_token._find import url_candidates
from alarmhugger_token._redact import redact_alarm
from alarmhugger_token._secrets import SECTION
from alarmhugger_token._secrets import SecretBook
from alarmhugger_token._secrets import needs_url_encoding
from alarmhugger_token._secrets import read_secret_book

DEFAULT_BODY_FIELDS = "passphrase, token, key, secret"

WRONG = "wrong webhook token"

log = logger.bind(plugin="token")


class WebhookToken:
    """Requires the webhook secret in the URL or the message of every alert.

    The secret is compared in constant time, registered with the log
    masking at start, and removed from each alarm before it is stored.
    """

    def __init__(self) -> None:
        self.secrets = SecretBook()
        self.body_fields = BodyFields(())
        self._masked: tuple[str, ...] = ()

    @hookimpl
    def gateway_configure(self, config: GatewayConfig) -> None:
        """Read the secrets and body field names; register the secrets for masking."""
        self.secrets = read_secret_book(config)
        names = config.get_list(SECTION, "body_fields", DEFAULT_BODY_FIELDS)
        self.body_fields = BodyFields([] if names == ["none"] else names)

        for secret in self.secrets.all_secrets:
            register_secret(secret)
        self._masked = _with_escaped_forms(self.secrets.all_secrets)
        self._log_settings()

    @hookimpl
    def gateway_screen_request(self, request: InboundRequest) -> Rejection | None:
        """Refuse a request without the route's secret (401)."""
        if not self.secrets.has_secret_for(request.route):
            return Rejection(
                401,
                "unauthorized",
                f"no webhook token is set up for route {request.route!r}",
            )

        offered = url_candidates(request)
        if self._is_any_valid(request.route, offered):
            return None

        in_body = self.body_fields.candidates(request.text)
        if self._is_any_valid(request.route, in_body):
            return None

        offered += in_body
        if offered:
            sources = ", ".join(
                dict.fromkeys(candidate.source for candidate in offered)
            )
            return Rejection(401, "unauthorized", f"{WRONG} (checked {sources})")
        return Rejection(401, "unauthorized", self._missing_reason(request))

    @hookimpl(trylast=True)
    def gateway_enrich_alarm(self, alarm: Alarm, request: InboundRequest) -> None:
        """Remove the token from the alarm: fields deleted, text masked."""
        offered = url_candidates(request) + self.body_fields.candidates(request.text)
        redact_alarm(
            alarm,
            self._masked + tuple(candidate.value for candidate in offered),
            self.body_fields.is_token_field,
        )

    def _is_any_valid(self, route: str, offered: list[Candidate]) -> bool:
        # No early exit: every offered value is compared.
        is_valid = False
        for candidate in offered:
            is_valid |= self.secrets.is_valid(route, candidate.value)
        return is_valid

    def _missing_reason(self, request: InboundRequest) -> str:
        if self.secrets.is_valid(request.route, request.route):
            return (
                "the webhook token is in the place of the route name: use "
                f"/alarms/webhook/default/<token> or ?{QUERY_NAME}=<token>"
            )

        reason = f"missing webhook token: add ?{QUERY_NAME}=... to the URL"
        if self.body_fields.names:
            reason += f' or a "{self.body_fields.names[0]}" field to the message'
        return reason

    def _log_settings(self) -> None:
        places = [f"?{QUERY_NAME}=", "the URL path"]
        if self.body_fields.names:
            places.append("body fields " + ", ".join(self.body_fields.names))
        log.info(
            "webhook token required: {} shared secret(s), own secrets for routes: {}; "
            "accepted from {}",
            len(self.secrets.shared),
            ", ".join(sorted(self.secrets.by_route)) or "none",
            "; ".join(places),
        )

        if any(needs_url_encoding(secret) for secret in self.secrets.all_secrets):
            log.warning(
                "a webhook secret has characters that must be percent-encoded in "
                "a URL; in ?{}= write it encoded, or send it in the message",
                QUERY_NAME,
            )


def _with_escaped_forms(secrets: tuple[str, ...]) -> tuple[str, ...]:
    # A secret with a quote or backslash appears escaped inside a JSON body.
    forms = list(secrets)
    for secret in secrets:
        escaped = json.dumps(secret)[1:-1]
        if escaped != secret:
            forms.append(escaped)
    return tuple(forms)
