"""The bundled IP filter screen plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-ipfilter",
    version="0.1.0",
    description="AlarmHugger screen admitting webhooks by sender address",
    python_requires=">=3.11",
    packages=find_packages(include=["alarmhugger_ipfilter", "alarmhugger_ipfilter.*"]),
    install_requires=["alarmhugger"],
    entry_points={
        "alarmhugger.plugins": [
            "ipfilter = alarmhugger_ipfilter:IpFilter",
        ],
    },
)
