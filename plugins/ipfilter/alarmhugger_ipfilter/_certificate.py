"""The sender-certificate check: TradingView's client certificate, as a proxy saw it.

Over HTTPS, TradingView's webhook server presents a client certificate whose
subject holds ``CN=TradingView Webhooks``. waitress does not terminate TLS,
so the TLS terminator in front (nginx, a load balancer) verifies the
certificate and passes its subject in a header. That header is believed only
from a peer listed in ``[gateway] trusted_proxies``: anyone else could simply
send it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.kit import InboundRequest

TRADINGVIEW_SUBJECT = "CN=TradingView Webhooks"

# What nginx's $ssl_client_verify says for a certificate that checked out.
VERIFIED = "SUCCESS"


@dataclass(frozen=True)
class CertificateCheck:
    """Requires a trusted proxy to vouch for the sender's client certificate.

    :param subject_header: the header carrying the certificate subject,
        e.g. ``X-SSL-Client-S-DN``.
    :param subject: text the subject must contain.
    :param verify_header: optional header carrying the proxy's verdict on
        the certificate chain (``SUCCESS`` when it checked out).
    """

    subject_header: str
    subject: str = TRADINGVIEW_SUBJECT
    verify_header: str | None = None

    def failure(self, request: InboundRequest, is_peer_trusted: bool) -> str | None:
        """Return why ``request`` fails the check, or ``None`` when it passes."""
        if not is_peer_trusted:
            return (
                "sender certificate not checked: the request did not come "
                "through a trusted proxy"
            )

        if self.verify_header is not None:
            verdict = request.headers.get(self.verify_header.lower(), "")
            if verdict.strip().upper() != VERIFIED:
                return (
                    "sender certificate missing or not verified by the TLS "
                    f"terminator ({self.verify_header} is not {VERIFIED})"
                )

        subject = request.headers.get(self.subject_header.lower(), "")
        if not subject.strip():
            return (
                "no sender certificate: the TLS terminator passed no "
                f"{self.subject_header} header"
            )
        if self.subject not in subject:
            return f"sender certificate subject does not contain {self.subject!r}"
        return None
