namespace WedSync.Migrations.Sql;

/// <summary>A script cut into statements, with the psql meta-commands found between them.</summary>
public sealed record ScannedScript(IReadOnlyList<SqlStatement> Statements, IReadOnlyList<PsqlMetaCommand> MetaCommands);

/// <summary>A psql backslash command (<c>\connect db</c>): psql runs it itself, the server never sees it.</summary>
public sealed record PsqlMetaCommand(int Line, string Text);
