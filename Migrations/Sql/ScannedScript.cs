namespace WedSync.Migrations.Sql;

/// <summary>A script cut into statements, with the psql meta-commands found between them.</summary>
public sealed record ScannedScript(IReadOnlyList<SqlStatement> Statements, IReadOnlyList<PsqlMetaCommand> MetaCommands)
{
    /// <summary>The comments between and inside statements (not those inside dollar-quoted bodies, which are one token).</summary>
    public IReadOnlyList<SqlToken> Comments { get; init; } = [];
}

/// <summary>A psql backslash command (<c>\connect db</c>): psql runs it itself, the server never sees it.</summary>
public sealed record PsqlMetaCommand(int Line, string Text);
