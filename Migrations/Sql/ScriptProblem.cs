namespace WedSync.Migrations.Sql;

/// <summary>Why a script is refused before anything runs: where (script, line, statement) and what to do.</summary>
public sealed record ScriptProblem(string Script, int Line, string Statement, string Reason)
{
    public override string ToString() => $"{Script}, line {Line}: {Reason} (statement: {Statement})";
}
