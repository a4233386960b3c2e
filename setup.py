"""The core distribution: ``alarmhugger``, import package ``gateway``."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger",
    version="0.1.0",
    description="A plugin-based alarm gateway for TradingView webhooks",
    python_requires=">=3.11",
    packages=find_packages(include=["gateway", "gateway.*"]),
    include_package_data=True,
    install_requires=[
        "flask>=3.1,<4",
        "waitress>=3.0,<4",
        "pluggy>=1.5,<2",
        "sqlalchemy>=2.0,<2.1",
        "marshmallow>=3.24,<5",
        "flask-smorest>=0.46,<1",
        "loguru>=0.7,<1",
        "python-dotenv>=1.0,<2",
        "simplejson>=3.19,<5",
        "uuid6>=2024.7",
        "click>=8.1,<9",
        "jinja2>=3.1,<4",
        "requests>=2.31,<3",
    ],
    entry_points={
        "console_scripts": ["gateway = gateway.cli:main"],
        "pytest11": ["alarmhugger = gateway.pytest_plugin"],
    },
)
