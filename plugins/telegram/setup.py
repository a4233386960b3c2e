"""The bundled Telegram notifier plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-telegram",
    version="0.1.0",
    description="AlarmHugger notifier sending alarms to a Telegram chat",
    python_requires=">=3.11",
    packages=find_packages(include=["alarmhugger_telegram", "alarmhugger_telegram.*"]),
    install_requires=["alarmhugger", "requests"],
    entry_points={
        "alarmhugger.plugins": [
            "telegram = alarmhugger_telegram:TelegramPlugin",
        ],
    },
)
