import GRDB

extension Schema {
    /// `v11-record-deletions`: a running count of the records ever deleted from the store (a delivery superseded or
    /// replaced, retention applied, or any later path), kept by a trigger so that no delete path can forget it. The
    /// monthly refresh's block index records the count it was current with: while the count is unchanged, no record the
    /// index holds has gone and no record id has been reused, so the refresh need not count the person-level records
    /// up to the index's last id (a scan of the whole records table: 1.4 s warm at 1,000,000 people; about 50 s at
    /// 3,000,000 by session 18's memory trace, not timed alone).
    static func registerRecordDeletions(_ m: inout DatabaseMigrator) {
        m.registerMigration("v11-record-deletions: a count of the records deleted, kept by a trigger") { db in
            try db.execute(sql: """
                CREATE TABLE record_deletions (
                  total INTEGER NOT NULL CHECK (total >= 0)
                ) STRICT;
                INSERT INTO record_deletions (total) VALUES (0);
                CREATE TRIGGER records_deleted AFTER DELETE ON records
                BEGIN
                  UPDATE record_deletions SET total = total + 1;
                END;
                """)
        }
    }
}
