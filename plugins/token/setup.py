"""The bundled webhook token screen plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-token",
    version="0.1.0",
    description="AlarmHugger screen requiring a shared secret on every webhook",
    python_requires=">=3.11",
    packages=find_packages(include=["alarmhugger_token", "alarmhugger_token.*"]),
    install_requires=["alarmhugger"],
    entry_points={
        "alarmhugger.plugins": [
            "token = alarmhugger_token:WebhookToken",
        ],
    },
)
