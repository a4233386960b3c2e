"""The bundled MQTT notifier plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-mqtt",
    version="0.1.0",
    description="AlarmHugger notifier publishing alarms to an MQTT broker",
    python_requires=">=3.11",
    packages=find_packages(include=["alarmhugger_mqtt", "alarmhugger_mqtt.*"]),
    install_requires=["alarmhugger", "paho-mqtt>=2.1,<3", "loguru>=0.7,<1"],
    entry_points={
        "alarmhugger.plugins": [
            "mqtt = alarmhugger_mqtt:MqttPlugin",
        ],
    },
)
