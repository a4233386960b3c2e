"""The bundled Slack notifier plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-slack",
    version="0.1.0",
    description="AlarmHugger notifier posting alarms to a Slack incoming webhook",
    python_requires=">=3.11",
    packages=find_packages(include=["alarmhugger_slack", "alarmhugger_slack.*"]),
    install_requires=["alarmhugger", "requests"],
    entry_points={
        "alarmhugger.plugins": [
            "slack = alarmhugger_slack:SlackPlugin",
        ],
    },
)
