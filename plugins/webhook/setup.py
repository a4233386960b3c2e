"""The bundled generic HTTP webhook notifier plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-webhook",
    version="0.1.0",
    description="AlarmHugger notifier forwarding alarms to any HTTP endpoint",
    python_requires=">=3.11",
    packages=find_packages(include=["alarmhugger_webhook", "alarmhugger_webhook.*"]),
    install_requires=["alarmhugger", "requests>=2.31,<3", "loguru>=0.7,<1"],
    entry_points={
        "alarmhugger.plugins": [
            "webhook = alarmhugger_webhook:WebhookPlugin",
        ],
    },
)
