class SqlStorage: pass
