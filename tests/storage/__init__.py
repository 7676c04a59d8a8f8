"""The database: stores, migrations, indexes, backups and retention (bot/storage/)."""
