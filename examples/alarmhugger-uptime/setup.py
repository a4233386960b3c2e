"""An example third-party AlarmHugger plugin: a parser for Uptime Kuma webhooks."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-uptime",
    version="0.1.0",
    description="AlarmHugger parser for Uptime Kuma webhook notifications",
    python_requires=">=3.11",
    packages=find_packages(include=["alarmhugger_uptime", "alarmhugger_uptime.*"]),
    install_requires=["alarmhugger"],
    entry_points={
        "alarmhugger.plugins": [
            "uptime = alarmhugger_uptime:UptimeKumaParser",
        ],
    },
)
