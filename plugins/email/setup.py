"""The bundled e-mail (SMTP) notifier plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-email",
    version="0.1.0",
    description="AlarmHugger notifier sending alarms by e-mail over SMTP",
    python_requires=">=3.11",
    packages=find_packages(include=["alarmhugger_email", "alarmhugger_email.*"]),
    install_requires=["alarmhugger", "loguru>=0.7,<1"],
    extras_require={"test": ["aiosmtpd>=1.4.6,<1.5"]},
    entry_points={
        "alarmhugger.plugins": [
            "email = alarmhugger_email:EmailPlugin",
        ],
    },
)
