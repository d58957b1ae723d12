namespace WedSync.Migrations.Catalog;

/// <summary>A migration script: its file name (the journal's key), its text exactly as read, and how often it runs.</summary>
public sealed record SqlScript(string Name, string Contents, ScriptKind Kind = ScriptKind.Versioned);

/// <summary>How often a script runs, in DbUp's terms (<c>ScriptType</c>) and Flyway's.</summary>
public enum ScriptKind
{
    /// <summary>Runs once; its text may not change afterwards (DbUp's RunOnce, Flyway's V__).</summary>
    Versioned,

    /// <summary>Runs again whenever its text changes, after every versioned script (Flyway's R__).</summary>
    Repeatable,

    /// <summary>A DbUp run-always script added the DbUp way: runs on every up.</summary>
    RunAlways,
}
