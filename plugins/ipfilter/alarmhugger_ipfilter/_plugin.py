"""The ``ipfilter`` screen: who may send alarms, by address and certificate."""

from __future__ import annotations

from loguru import logger

from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import InboundRequest
from gateway.kit import Rejection
from gateway.kit import hookimpl
from gateway.kit import parse_address

from alarmhugger_ipfilter._addresses import AddressList
from alarmhugger_ipfilter._certificate import TRADINGVIEW_SUBJECT
from alarmhugger_ipfilter._certificate import CertificateCheck

SECTION = "plugin:ipfilter"

KNOWN_KEYS = (
    "allow",
    "allow_extra",
    "block",
    "cert_subject_header",
    "cert_subject",
    "cert_verify_header",
)

FORBIDDEN = Rejection(403, "forbidden", "client address not allowed")

# Headers a sender may use to claim another address; quoted in the log
# when the peer is not a trusted proxy, so a forgery attempt is visible.
FORWARDING_HEADERS = (
    "Forwarded",
    "X-Forwarded-For",
    "X-Real-IP",
    "True-Client-IP",
    "CF-Connecting-IP",
)

_QUOTED_LENGTH = 80

log = logger.bind(plugin="ipfilter")


class IpFilter:
    """Admits webhook requests by client address, and optionally by certificate.

    ``allow`` (plus ``allow_extra``, which ``ALLOWED_IPS`` fills) lists the
    admitted addresses and ranges, empty meaning everyone; ``block`` lists
    refused ones and wins over ``allow``.
    """

    def __init__(self) -> None:
        self.allow = AddressList()
        self.block = AddressList()
        self.trusted_proxies = AddressList()
        self.certificate: CertificateCheck | None = None

    @hookimpl
    def gateway_configure(self, config: GatewayConfig) -> None:
        """Read the allow, block and certificate settings; refuse bad entries."""
        _refuse_unknown_keys(config)

        allow = AddressList.parse(SECTION, "allow", config.get_list(SECTION, "allow"))
        extra = AddressList.parse(
            SECTION,
            "allow_extra",
            config.get_list(SECTION, "allow_extra"),
            source="ALLOWED_IPS",
        )
        self.allow = allow + extra
        self.block = AddressList.parse(
            SECTION, "block", config.get_list(SECTION, "block")
        )

        self.trusted_proxies = AddressList(config.trusted_proxies)
        self.certificate = _certificate_check(config, bool(self.trusted_proxies))
        self._log_settings()

    @hookimpl
    def gateway_screen_request(self, request: InboundRequest) -> Rejection | None:
        """Refuse a request whose client is blocked, not allowed, or uncertified."""
        refusal = self.refusal(request.client_ip)
        if refusal is not None:
            self._log_refusal(request, refusal)
            return FORBIDDEN

        if self.certificate is None:
            return None
        failure = self.certificate.failure(
            request, self.is_trusted_proxy(request.peer_ip)
        )
        if failure is None:
            return None

        log.warning(
            "certificate check failed for client {} (peer {}): {}",
            request.client_ip,
            request.peer_ip,
            failure,
        )
        return Rejection(403, "forbidden", failure)

    def is_trusted_proxy(self, peer_ip: str) -> bool:
        """Tell whether ``peer_ip`` is listed in ``[gateway] trusted_proxies``."""
        peer = parse_address(peer_ip)
        return peer is not None and self.trusted_proxies.match(peer) is not None

    def refusal(self, client_ip: str) -> str | None:
        """Return why ``client_ip`` is refused, or ``None`` when it may send."""
        address = parse_address(client_ip)
        if address is None:
            if self.allow:
                return f"client address {client_ip!r} is not an IP address"
            return None

        blocked_by = self.block.match(address)
        if blocked_by is not None:
            return f"client {address} is blocked by entry {blocked_by}"
        if self.allow and self.allow.match(address) is None:
            return f"client {address} is not in the allow-list"
        return None

    def _log_refusal(self, request: InboundRequest, refusal: str) -> None:
        claims = _claimed_addresses(request)
        if claims and not self.is_trusted_proxy(request.peer_ip):
            log.warning(
                "{} (peer {}); forwarding headers ignored, the peer is not in "
                "[gateway] trusted_proxies: {}",
                refusal,
                request.peer_ip,
                claims,
            )
            return

        log.warning("{} (peer {})", refusal, request.peer_ip)

    def _log_settings(self) -> None:
        if self.allow:
            log.info(
                "allow-list: {} entries: {}", len(self.allow), self.allow.describe()
            )
        else:
            log.info("allow-list empty: every client address may send")
        if self.block:
            log.info(
                "block-list: {} entries: {}", len(self.block), self.block.describe()
            )
        if self.certificate is not None:
            log.info(
                "sender certificate required: {} must contain {!r}",
                self.certificate.subject_header,
                self.certificate.subject,
            )


def _certificate_check(
    config: GatewayConfig, has_proxies: bool
) -> CertificateCheck | None:
    header = config.get(SECTION, "cert_subject_header")
    if header is None:
        return None

    if not has_proxies:
        raise ConfigError(
            SECTION,
            "cert_subject_header",
            header,
            "[gateway] trusted_proxies listing the TLS terminator that sets "
            "this header (from any other peer the header is never believed)",
        )
    subject = config.get(SECTION, "cert_subject") or TRADINGVIEW_SUBJECT
    return CertificateCheck(
        subject_header=header,
        subject=subject,
        verify_header=config.get(SECTION, "cert_verify_header"),
    )


def _claimed_addresses(request: InboundRequest) -> str:
    # repr() quotes the value and escapes control characters, so a forged
    # header cannot inject lines into the log.
    claims = []
    for name in FORWARDING_HEADERS:
        value = request.headers.get(name.lower())
        if value is None:
            continue
        if len(value) > _QUOTED_LENGTH:
            value = value[:_QUOTED_LENGTH] + "..."
        claims.append(f"{name}={value!r}")
    return ", ".join(claims)


def _refuse_unknown_keys(config: GatewayConfig) -> None:
    # A misspelt "alow" must not leave the gateway open without a word.
    for key, value in config.plugin_settings("ipfilter").items():
        if key not in KNOWN_KEYS:
            raise ConfigError(
                SECTION, key, value, f"one of the keys {', '.join(KNOWN_KEYS)}"
            )
