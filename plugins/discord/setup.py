"""The bundled Discord notifier plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-discord",
    version="0.1.0",
    description="AlarmHugger notifier posting alarms to a Discord channel webhook",
    python_requires=">=3.11",
    packages=find_packages(include=["alarmhugger_discord", "alarmhugger_discord.*"]),
    install_requires=["alarmhugger", "requests"],
    entry_points={
        "alarmhugger.plugins": [
            "discord = alarmhugger_discord:DiscordPlugin",
        ],
    },
)
