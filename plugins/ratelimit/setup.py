"""The bundled rate limit screen plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-ratelimit",
    version="0.1.0",
    description="AlarmHugger screen limiting webhook rates per client and route",
    python_requires=">=3.11",
    packages=find_packages(
        include=["alarmhugger_ratelimit", "alarmhugger_ratelimit.*"]
    ),
    install_requires=["alarmhugger"],
    entry_points={
        "alarmhugger.plugins": [
            "ratelimit = alarmhugger_ratelimit:RateLimit",
        ],
    },
)
