namespace WedSync.Tests.Migrator.Lint;

/// <summary>
/// A throw-away folder of scripts for <c>lint</c>: one script breaking every house rule, one breaking
/// every lock-safety rule (on tables the scripts did not create, so "existing"), and the compliant
/// forms in a folder of their own.
/// </summary>
public sealed class LintFolder : IDisposable
{
    public const string HouseViolations = """
        CREATE TABLE IF NOT EXISTS gadgets (
            id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
            owner_id uuid REFERENCES auth.users (id) ON DELETE CASCADE,
            organization_id uuid NOT NULL REFERENCES organizations (id),
            channels review_channel[] DEFAULT ARRAY['email', 'sms']
        );
        CREATE INDEX IF NOT EXISTS ix_gadgets_owner_id ON gadgets (owner_id);
        ALTER TABLE gadgets ENABLE ROW LEVEL SECURITY;
        CREATE POLICY gadgets_tenant ON gadgets FOR ALL TO wedsync_user
            USING (organization_id = app.current_organization_id());
        CREATE TABLE IF NOT EXISTS keyless (note text);
        CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_keyless_note ON keyless (note);
        """;

    public const string LockViolations = """
        CREATE INDEX IF NOT EXISTS ix_referrals_code ON referrals (referral_code);
        ALTER TABLE referrals ADD CONSTRAINT referrals_code_present CHECK (referral_code <> '');
        ALTER TABLE referral_clicks ADD COLUMN token uuid DEFAULT gen_random_uuid();
        ALTER TABLE referral_clicks ALTER COLUMN ip_address TYPE inet USING ip_address::inet;
        ALTER TABLE referral_clicks ADD CONSTRAINT referral_clicks_referral FOREIGN KEY (referral_id) REFERENCES referrals (id);
        ALTER TABLE referrals ADD COLUMN seq bigserial;
        VACUUM (ANALYZE) referrals;
        """;

    public const string Compliant = """
        SET LOCAL lock_timeout = '5s';
        ALTER TABLE referrals ADD CONSTRAINT referrals_code_present CHECK (referral_code <> '') NOT VALID;
        ALTER TABLE referrals VALIDATE CONSTRAINT referrals_code_present;
        ALTER TABLE referral_clicks ADD COLUMN seen_at timestamptz DEFAULT now();
        ALTER TABLE referral_clicks ADD COLUMN tier int NOT NULL DEFAULT 0;
        ALTER TABLE referral_clicks ALTER COLUMN note TYPE text;
        -- uuid_generate_v4() in a comment, and in a literal: 'uuid_generate_v4()'
        SELECT 'REFERENCES auth.users';
        """;

    public const string CompliantConcurrent = """
        -- migrator: no-transaction
        CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_referrals_code ON referrals (referral_code);
        """;

    public LintFolder()
    {
        Directory.CreateDirectory(Violations);
        Directory.CreateDirectory(Clean);
        File.WriteAllText(Path.Combine(Violations, "20990101000000_house.sql"), HouseViolations);
        File.WriteAllText(Path.Combine(Violations, "20990101000001_locks.sql"), LockViolations);
        File.WriteAllText(Path.Combine(Clean, "20990101000002_safe.sql"), Compliant);
        File.WriteAllText(Path.Combine(Clean, "20990101000003_safe_index.sql"), CompliantConcurrent);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "wedsync-lint-" + Guid.NewGuid().ToString("N"));

    public string Violations => Path.Combine(Root, "violations");

    public string Clean => Path.Combine(Root, "clean");

    public string HouseFile => Path.Combine(Violations, "20990101000000_house.sql");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
