"""The bundled Apprise notifier plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-apprise",
    version="0.1.0",
    description="AlarmHugger notifier reaching any service Apprise supports",
    python_requires=">=3.11",
    packages=find_packages(include=["alarmhugger_apprise", "alarmhugger_apprise.*"]),
    install_requires=["alarmhugger", "apprise>=2.2,<3", "loguru>=0.7,<1"],
    entry_points={
        "alarmhugger.plugins": [
            "apprise = alarmhugger_apprise:ApprisePlugin",
        ],
    },
)
