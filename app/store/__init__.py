"""Engine, SQLite pragmas, migrations, backups and the instance lock."""
