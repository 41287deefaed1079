namespace StreamBot.Migrations.Diagnostics;

/// <summary>
/// Every diagnostic the package can report. Codes are stable once released: a retired code is never reused.
/// 0xxx: the command line; 1xxx: the folder and file names; 2xxx: SQL inside a file; 3xxx: README rollback documentation;
/// 4xxx: the database (connection, lock, journal, apply, rollback); 5xxx: backups; 6xxx: migration safety (locks, rewrites, the lint's own comments); 7xxx: rehearsal; 9xxx: build integration.
/// </summary>
internal static class DiagnosticCatalog
{
    private const DiagnosticSeverity E = DiagnosticSeverity.Error;
    private const DiagnosticSeverity W = DiagnosticSeverity.Warning;

    public static readonly DiagnosticDescriptor BadCommandLine = new("SBM0001", E, "Bad command line");
    public static readonly DiagnosticDescriptor AuthoringRefused = new("SBM0002", E, "new, draft-rollback or renumber refused");

    public static readonly DiagnosticDescriptor DirectoryNotFound = new("SBM1001", E, "Migrations directory not found");
    public static readonly DiagnosticDescriptor InvalidFileName = new("SBM1002", E, "File name is not NNNN_snake_case.sql");
    public static readonly DiagnosticDescriptor DuplicateNumber = new("SBM1003", E, "Two migrations share a number");
    public static readonly DiagnosticDescriptor NumberingGap = new("SBM1004", E, "Gap in migration numbering");
    public static readonly DiagnosticDescriptor FirstNumberNotZero = new("SBM1005", E, "Numbering does not start at 0000");
    public static readonly DiagnosticDescriptor NoMigrations = new("SBM1006", W, "No migration files");
    public static readonly DiagnosticDescriptor FileUnreadable = new("SBM1007", E, "File cannot be read");
    public static readonly DiagnosticDescriptor DrizzleJournalMalformed = new("SBM1008", E, "drizzle-kit journal cannot be read");
    public static readonly DiagnosticDescriptor DrizzleFileWithoutEntry = new("SBM1009", E, "Migration missing from the drizzle-kit journal");
    public static readonly DiagnosticDescriptor DrizzleEntryWithoutFile = new("SBM1010", E, "drizzle-kit journal entry without a file");
    public static readonly DiagnosticDescriptor DrizzleJournalOutOfSequence = new("SBM1011", E, "drizzle-kit journal entries out of sequence");
    public static readonly DiagnosticDescriptor DrizzleWhenNotIncreasing = new("SBM1012", E, "drizzle-kit journal timestamps do not increase");

    public static readonly DiagnosticDescriptor UnterminatedString = new("SBM2001", E, "Unterminated string literal");
    public static readonly DiagnosticDescriptor UnterminatedQuotedIdentifier = new("SBM2002", E, "Unterminated quoted identifier");
    public static readonly DiagnosticDescriptor UnterminatedBlockComment = new("SBM2003", E, "Unterminated block comment");
    public static readonly DiagnosticDescriptor UnterminatedDollarQuote = new("SBM2004", E, "Unterminated dollar-quoted string");
    public static readonly DiagnosticDescriptor EmptyMigration = new("SBM2005", E, "Migration has no SQL statements");
    public static readonly DiagnosticDescriptor InvalidUtf8 = new("SBM2006", E, "File is not valid UTF-8");
    public static readonly DiagnosticDescriptor ByteOrderMark = new("SBM2007", W, "File starts with a UTF-8 byte order mark");
    public static readonly DiagnosticDescriptor PsqlMetaCommand = new("SBM2008", E, "psql meta-command in SQL");
    public static readonly DiagnosticDescriptor TransactionControl = new("SBM2009", E, "Transaction control statement in a migration");
    public static readonly DiagnosticDescriptor MissingFinalSemicolon = new("SBM2010", W, "Last statement has no semicolon");
    public static readonly DiagnosticDescriptor NonTransactional = new("SBM2011", W, "Statement cannot run inside a transaction");
    public static readonly DiagnosticDescriptor NulCharacter = new("SBM2012", E, "NUL character in a file");
    public static readonly DiagnosticDescriptor SqlPlaceholder = new("SBM2013", E, "Unfinished placeholder in a migration");
    public static readonly DiagnosticDescriptor BackfillNotBatchable = new("SBM2014", E, "Backfill statement cannot run in batches");
    public static readonly DiagnosticDescriptor BackfillKeyUnusable = new("SBM2015", E, "Backfill has no usable key");

    public static readonly DiagnosticDescriptor ReadmeMissing = new("SBM3001", E, "README.md missing");
    public static readonly DiagnosticDescriptor SectionMissing = new("SBM3002", E, "Migration has no README section");
    public static readonly DiagnosticDescriptor OrphanSection = new("SBM3003", E, "README section for a migration that does not exist");
    public static readonly DiagnosticDescriptor DuplicateSection = new("SBM3004", E, "Migration documented twice");
    public static readonly DiagnosticDescriptor FieldMissing = new("SBM3005", E, "Required field missing from a README section");
    public static readonly DiagnosticDescriptor InvalidDate = new("SBM3006", E, "Date missing or not an ISO date");
    public static readonly DiagnosticDescriptor RollbackMissing = new("SBM3007", E, "No rollback documented");
    public static readonly DiagnosticDescriptor RollbackBlockMissing = new("SBM3008", E, "Rollback Procedure has no ```sql block");
    public static readonly DiagnosticDescriptor RollbackBlockEmpty = new("SBM3009", E, "Rollback SQL block is empty");
    public static readonly DiagnosticDescriptor RollbackRiskInvalid = new("SBM3010", E, "Rollback Risk missing or not LOW, MEDIUM or HIGH");
    public static readonly DiagnosticDescriptor NotRecommendedWithoutReason = new("SBM3011", E, "\"Not recommended\" rollback without a reason");
    public static readonly DiagnosticDescriptor RollbackConflict = new("SBM3012", E, "Both a Rollback Procedure and \"Not recommended\"");
    public static readonly DiagnosticDescriptor RollbackNotTransactional = new("SBM3013", E, "Rollback SQL cannot run in one transaction");
    public static readonly DiagnosticDescriptor NoVerifyQuery = new("SBM3014", W, "Rollback has no verify query");
    public static readonly DiagnosticDescriptor VerifyCommentWithoutCount = new("SBM3015", W, "Verify comment without a row count");
    public static readonly DiagnosticDescriptor UnterminatedFence = new("SBM3016", E, "Unterminated code fence in README");
    public static readonly DiagnosticDescriptor RollbackUnrecognized = new("SBM3017", E, "Rollback field is neither a procedure nor \"Not recommended\"");
    public static readonly DiagnosticDescriptor ReadmePlaceholder = new("SBM3018", E, "Unfinished placeholder in a README section");

    public static readonly DiagnosticDescriptor NoConnection = new("SBM4001", E, "No database connection configured");
    public static readonly DiagnosticDescriptor MalformedConnection = new("SBM4002", E, "Connection string is malformed");
    public static readonly DiagnosticDescriptor CannotConnect = new("SBM4003", E, "Cannot connect to the database");
    public static readonly DiagnosticDescriptor LockTimeout = new("SBM4004", E, "Timed out waiting for the migration lock");
    public static readonly DiagnosticDescriptor MigrationFailed = new("SBM4005", E, "Migration failed and was rolled back");
    public static readonly DiagnosticDescriptor ChecksumMismatch = new("SBM4006", E, "Applied migration changed since it was applied");
    public static readonly DiagnosticDescriptor AppliedFileMissing = new("SBM4007", E, "Applied migration's file is missing");
    public static readonly DiagnosticDescriptor PartiallyApplied = new("SBM4008", E, "Non-transactional migration failed half-way");
    public static readonly DiagnosticDescriptor JournalUnusable = new("SBM4009", E, "Journal or lock table has an unexpected shape");
    public static readonly DiagnosticDescriptor RollbackNotRecommended = new("SBM4010", E, "Rollback refused: not recommended");
    public static readonly DiagnosticDescriptor VerifyFailed = new("SBM4011", E, "Rollback verify query failed");
    public static readonly DiagnosticDescriptor RollbackFailed = new("SBM4012", E, "Rollback statement failed");
    public static readonly DiagnosticDescriptor NotApplied = new("SBM4013", E, "Migration to roll back is not applied");
    public static readonly DiagnosticDescriptor InvalidFolder = new("SBM4014", E, "Migrations folder has errors; nothing was run");
    public static readonly DiagnosticDescriptor OutOfOrder = new("SBM4015", E, "Pending migration older than an applied one");
    public static readonly DiagnosticDescriptor DatabaseError = new("SBM4016", E, "Database error");
    public static readonly DiagnosticDescriptor LockLost = new("SBM4017", E, "The migration lock was lost during the run");
    public static readonly DiagnosticDescriptor Interrupted = new("SBM4018", E, "A non-transactional migration was interrupted half-way");
    public static readonly DiagnosticDescriptor NothingToResume = new("SBM4019", E, "Resume asked for, but no migration is interrupted");
    public static readonly DiagnosticDescriptor RunsWithoutTransaction = new("SBM4020", W, "Migration runs without a transaction");
    public static readonly DiagnosticDescriptor ForcedRollback = new("SBM4021", W, "Forced rollback only removed the journal row");
    public static readonly DiagnosticDescriptor StaleLockTaken = new("SBM4022", W, "Took over a lock left by a holder that is gone");
    public static readonly DiagnosticDescriptor InvalidIndex = new("SBM4023", W, "An INVALID index is in the database");
    public static readonly DiagnosticDescriptor ConnectionLost = new("SBM4024", E, "The connection to the server was lost during a migration");
    public static readonly DiagnosticDescriptor ReadOnlyServer = new("SBM4025", E, "The server is read-only or a standby");
    public static readonly DiagnosticDescriptor ForeignJournal = new("SBM4026", E, "The journal belongs to another migrations folder");
    public static readonly DiagnosticDescriptor Cancelled = new("SBM4027", E, "The run was cancelled (Ctrl-C or SIGTERM)");
    public static readonly DiagnosticDescriptor AppliedByDrizzle = new("SBM4028", E, "Migrations were applied by drizzle-orm");
    public static readonly DiagnosticDescriptor AdoptionRefused = new("SBM4029", E, "drizzle-orm's journal cannot be adopted");
    public static readonly DiagnosticDescriptor BaselineObjectMissing = new("SBM4030", E, "An object a baselined migration creates is missing");
    public static readonly DiagnosticDescriptor BaselineRefused = new("SBM4031", E, "Baseline refused");
    public static readonly DiagnosticDescriptor BlockedByLocks = new("SBM4032", E, "Migration kept meeting a lock held by other sessions");
    public static readonly DiagnosticDescriptor BlockersPresent = new("SBM4033", W, "Sessions hold locks a migration needs");
    public static readonly DiagnosticDescriptor PooledConnection = new("SBM4034", E, "The connection goes through a transaction-mode pooler");
    public static readonly DiagnosticDescriptor SchemaDrift = new("SBM4035", W, "The schema changed outside the migrations");
    public static readonly DiagnosticDescriptor DriftRefused = new("SBM4036", E, "Refused to migrate a schema that drifted");
    public static readonly DiagnosticDescriptor DataConflict = new("SBM4037", E, "Production's rows would make a pending migration fail");
    public static readonly DiagnosticDescriptor DataCheckUnfinished = new("SBM4038", W, "A data check could not be finished");
    public static readonly DiagnosticDescriptor OldVersionsConnected = new("SBM4039", E, "Contract step held: older versions of the app are still connected");
    public static readonly DiagnosticDescriptor ContractForced = new("SBM4040", W, "Contract step applied while older versions of the app are connected");
    public static readonly DiagnosticDescriptor LargeTableFinding = new("SBM4041", E, "A lock or rewrite finding on a large table");
    public static readonly DiagnosticDescriptor BackfillOutOfTime = new("SBM4042", E, "Backfill stopped at its time budget");
    public static readonly DiagnosticDescriptor StandbysBehind = new("SBM4043", E, "Standbys did not replay the migration in time");
    public static readonly DiagnosticDescriptor WebhookNotDelivered = new("SBM4044", W, "Webhook message not delivered");
    public static readonly DiagnosticDescriptor QueryRegressed = new("SBM4045", W, "A query became slower after the deploy");
    public static readonly DiagnosticDescriptor DatabaseRegressed = new("SBM4046", W, "Deadlocks, rollbacks, conflicts or new sequential scans after the deploy");
    public static readonly DiagnosticDescriptor WatchFailed = new("SBM4047", E, "The watch after the deploy saw regressions");

    public static readonly DiagnosticDescriptor PgDumpMissing = new("SBM5001", E, "pg_dump not found");
    public static readonly DiagnosticDescriptor PgDumpTooOld = new("SBM5002", E, "pg_dump is older than the server");
    public static readonly DiagnosticDescriptor BackupDirectoryUnwritable = new("SBM5003", E, "Backup directory cannot be written");
    public static readonly DiagnosticDescriptor BackupFailed = new("SBM5004", E, "Backup failed or is incomplete");
    public static readonly DiagnosticDescriptor BackupDiskFull = new("SBM5005", E, "No space left for the backup");
    public static readonly DiagnosticDescriptor BackupDisabled = new("SBM5006", W, "Backup disabled");
    public static readonly DiagnosticDescriptor BackupDoesNotRestore = new("SBM5007", E, "Backup does not restore");
    public static readonly DiagnosticDescriptor BackupRestoresOtherwise = new("SBM5008", E, "Restored backup differs from what was recorded");
    public static readonly DiagnosticDescriptor BackupWithoutManifest = new("SBM5009", W, "Backup has no manifest to compare with");
    public static readonly DiagnosticDescriptor BackupManifestUnreadable = new("SBM5010", E, "Backup manifest cannot be read");
    public static readonly DiagnosticDescriptor NoBackupToVerify = new("SBM5011", E, "No backup to verify");

    public static readonly DiagnosticDescriptor IndexNotConcurrent = new("SBM6001", W, "CREATE INDEX without CONCURRENTLY on an existing table");
    public static readonly DiagnosticDescriptor ConstraintNotValidMissing = new("SBM6002", W, "Foreign key or CHECK added without NOT VALID");
    public static readonly DiagnosticDescriptor ValidatedInSameTransaction = new("SBM6003", W, "NOT VALID constraint validated in the same migration");
    public static readonly DiagnosticDescriptor UniqueWithoutIndex = new("SBM6004", W, "UNIQUE or PRIMARY KEY added without USING INDEX");
    public static readonly DiagnosticDescriptor ColumnTypeRewrite = new("SBM6005", W, "Column type change rewrites the table");
    public static readonly DiagnosticDescriptor SetNotNullScans = new("SBM6006", W, "SET NOT NULL without a validated CHECK first");
    public static readonly DiagnosticDescriptor VolatileDefault = new("SBM6007", W, "ADD COLUMN with a volatile default rewrites the table");
    public static readonly DiagnosticDescriptor Rename = new("SBM6008", W, "Table or column renamed under the running application");
    public static readonly DiagnosticDescriptor DestructiveWithoutHighRisk = new("SBM6009", W, "Data destroyed but Rollback Risk is not HIGH");
    public static readonly DiagnosticDescriptor TableRewriteCommand = new("SBM6010", W, "VACUUM FULL, CLUSTER or REINDEX without CONCURRENTLY");
    public static readonly DiagnosticDescriptor UnboundedDataChange = new("SBM6011", W, "UPDATE or DELETE without WHERE on an existing table");
    public static readonly DiagnosticDescriptor ConcurrentlyMixed = new("SBM6012", W, "CONCURRENTLY mixed with transactional statements");
    public static readonly DiagnosticDescriptor EnumValueUsedTooSoon = new("SBM6013", W, "New enum value used in the transaction that adds it");
    public static readonly DiagnosticDescriptor SessionSetting = new("SBM6014", W, "Session-level SET in a migration");
    public static readonly DiagnosticDescriptor NotNullWithoutDefault = new("SBM6015", W, "ADD COLUMN NOT NULL without a DEFAULT on an existing table");
    public static readonly DiagnosticDescriptor DropIndexNotConcurrent = new("SBM6016", W, "DROP INDEX without CONCURRENTLY");
    public static readonly DiagnosticDescriptor StorageRewrite = new("SBM6017", W, "SET UNLOGGED, SET LOGGED or SET TABLESPACE rewrites the table");
    public static readonly DiagnosticDescriptor DropOutsideContract = new("SBM6018", W, "DROP COLUMN or DROP TABLE outside a contract step");
    public static readonly DiagnosticDescriptor SetNotNullOutsideContract = new("SBM6019", W, "SET NOT NULL on an existing table outside a contract step");
    public static readonly DiagnosticDescriptor SuppressionWithoutReason = new("SBM6101", W, "streambot:allow without a reason");
    public static readonly DiagnosticDescriptor SuppressionUnused = new("SBM6102", W, "streambot:allow that silences nothing");
    public static readonly DiagnosticDescriptor DirectiveInvalid = new("SBM6103", E, "Malformed -- streambot: comment");
    public static readonly DiagnosticDescriptor LintSettingInvalid = new("SBM6104", E, "Safety lint setting is invalid");

    public static readonly DiagnosticDescriptor RollbackLeavesDifference = new("SBM7001", E, "Rehearsal: the rollback does not restore the schema");
    public static readonly DiagnosticDescriptor ReapplyDiffers = new("SBM7002", E, "Rehearsal: applying again after the rollback gives another schema");
    public static readonly DiagnosticDescriptor RehearsalApplyFailed = new("SBM7003", E, "Rehearsal: the migration failed");
    public static readonly DiagnosticDescriptor RehearsalRollbackFailed = new("SBM7004", E, "Rehearsal: the rollback failed");
    public static readonly DiagnosticDescriptor TracedStrongLock = new("SBM7005", W, "Rehearsal: a statement locked a pre-existing table against writes");
    public static readonly DiagnosticDescriptor TracedRewrite = new("SBM7006", W, "Rehearsal: a statement rewrote a pre-existing table or index");
    public static readonly DiagnosticDescriptor ScratchUnavailable = new("SBM7007", E, "Rehearsal: no scratch database could be made");
    public static readonly DiagnosticDescriptor AppQueryBroken = new("SBM7008", E, "Rehearsal: a query of the running app no longer prepares");

    public static readonly DiagnosticDescriptor UnsupportedMSBuild = new("SBM9001", W, "Validation skipped under .NET Framework MSBuild");
    // Raised by the package's .targets, listed here so that every code has one home.
    public static readonly DiagnosticDescriptor CliFailedSilently = new("SBM9002", E, "streambot-migrate exited with an error it did not report");
    public static readonly DiagnosticDescriptor UnexpectedError = new("SBM9003", E, "Unexpected internal error");
    public static readonly DiagnosticDescriptor ReportNotWritten = new("SBM9004", E, "Report file cannot be written");

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } =
    [
        BadCommandLine, AuthoringRefused,
        DirectoryNotFound, InvalidFileName, DuplicateNumber, NumberingGap, FirstNumberNotZero, NoMigrations, FileUnreadable,
        DrizzleJournalMalformed, DrizzleFileWithoutEntry, DrizzleEntryWithoutFile, DrizzleJournalOutOfSequence, DrizzleWhenNotIncreasing,
        UnterminatedString, UnterminatedQuotedIdentifier, UnterminatedBlockComment, UnterminatedDollarQuote, EmptyMigration,
        InvalidUtf8, ByteOrderMark, PsqlMetaCommand, TransactionControl, MissingFinalSemicolon, NonTransactional, NulCharacter, SqlPlaceholder,
        BackfillNotBatchable, BackfillKeyUnusable,
        ReadmeMissing, SectionMissing, OrphanSection, DuplicateSection, FieldMissing, InvalidDate, RollbackMissing,
        RollbackBlockMissing, RollbackBlockEmpty, RollbackRiskInvalid, NotRecommendedWithoutReason, RollbackConflict,
        RollbackNotTransactional, NoVerifyQuery, VerifyCommentWithoutCount, UnterminatedFence, RollbackUnrecognized, ReadmePlaceholder,
        NoConnection, MalformedConnection, CannotConnect, LockTimeout, MigrationFailed, ChecksumMismatch, AppliedFileMissing,
        PartiallyApplied, JournalUnusable, RollbackNotRecommended, VerifyFailed, RollbackFailed, NotApplied, InvalidFolder,
        OutOfOrder, DatabaseError, LockLost, Interrupted, NothingToResume, RunsWithoutTransaction, ForcedRollback, StaleLockTaken,
        InvalidIndex, ConnectionLost, ReadOnlyServer, ForeignJournal, Cancelled, AppliedByDrizzle, AdoptionRefused, BaselineObjectMissing, BaselineRefused,
        BlockedByLocks, BlockersPresent, PooledConnection, SchemaDrift, DriftRefused, DataConflict, DataCheckUnfinished, OldVersionsConnected,
        ContractForced, LargeTableFinding, BackfillOutOfTime, StandbysBehind, WebhookNotDelivered, QueryRegressed, DatabaseRegressed, WatchFailed,
        PgDumpMissing, PgDumpTooOld, BackupDirectoryUnwritable, BackupFailed, BackupDiskFull, BackupDisabled,
        BackupDoesNotRestore, BackupRestoresOtherwise, BackupWithoutManifest, BackupManifestUnreadable, NoBackupToVerify,
        IndexNotConcurrent, ConstraintNotValidMissing, ValidatedInSameTransaction, UniqueWithoutIndex, ColumnTypeRewrite, SetNotNullScans,
        VolatileDefault, Rename, DestructiveWithoutHighRisk, TableRewriteCommand, UnboundedDataChange, ConcurrentlyMixed, EnumValueUsedTooSoon, SessionSetting,
        NotNullWithoutDefault, DropIndexNotConcurrent, StorageRewrite, DropOutsideContract, SetNotNullOutsideContract,
        SuppressionWithoutReason, SuppressionUnused, DirectiveInvalid, LintSettingInvalid,
        RollbackLeavesDifference, ReapplyDiffers, RehearsalApplyFailed, RehearsalRollbackFailed, TracedStrongLock, TracedRewrite, ScratchUnavailable, AppQueryBroken,
        UnsupportedMSBuild, CliFailedSilently, UnexpectedError, ReportNotWritten,
    ];
}
