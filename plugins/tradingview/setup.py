"""The bundled TradingView parser plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-tradingview",
    version="0.1.0",
    description="AlarmHugger parser for TradingView alert bodies",
    python_requires=">=3.11",
    packages=find_packages(
        include=["alarmhugger_tradingview", "alarmhugger_tradingview.*"]
    ),
    install_requires=["alarmhugger"],
    entry_points={
        "alarmhugger.plugins": [
            "tradingview = alarmhugger_tradingview:TradingViewParser",
        ],
    },
)
