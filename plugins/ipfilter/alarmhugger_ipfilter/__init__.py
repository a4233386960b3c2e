"""AlarmHugger's IP filter: only TradingView (and who the operator allows) gets in.

Enable it with ``ipfilter`` in ``[gateway] plugins``; settings live in
``[plugin:ipfilter]`` (see the README beside this package).
"""

from __future__ import annotations

# The core's sender list and presets, still published under these names.
from gateway.kit import ADDRESS_PRESETS as PRESETS
from gateway.kit import TRADINGVIEW_SENDERS

from alarmhugger_ipfilter._addresses import AddressList
from alarmhugger_ipfilter._certificate import TRADINGVIEW_SUBJECT
from alarmhugger_ipfilter._certificate import CertificateCheck
from alarmhugger_ipfilter._plugin import IpFilter

__all__ = [
    "PRESETS",
    "TRADINGVIEW_SENDERS",
    "TRADINGVIEW_SUBJECT",
    "AddressList",
    "CertificateCheck",
    "IpFilter",
]
