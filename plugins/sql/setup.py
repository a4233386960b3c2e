"""The bundled SQL storage plugin (PostgreSQL, SQLite)."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="alarmhugger-sql",
    version="0.1.0",
    description="AlarmHugger storage in PostgreSQL or SQLite",
    python_requires=">=3.11",
    packages=find_packages(include=["alarmhugger_sql", "alarmhugger_sql.*"]),
    package_data={
        "alarmhugger_sql": [
            "migrations/*.py",
            "migrations/*.mako",
            "migrations/versions/*.py",
        ]
    },
    install_requires=[
        "alarmhugger",
        "sqlalchemy>=2.0,<2.1",
        "psycopg2-binary>=2.9",
        "alembic>=1.13",
        "simplejson>=3.19",
        "uuid6>=2024.7",
    ],
    entry_points={
        "alarmhugger.plugins": [
            "sql = alarmhugger_sql:SqlStorage",
        ],
    },
)
