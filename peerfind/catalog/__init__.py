"""The SQLite catalog: schema, migrations, rows, upsert, queries, doctor, snapshots."""
