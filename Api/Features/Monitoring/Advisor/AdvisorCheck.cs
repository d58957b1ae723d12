namespace WedSync.Api.Features.Monitoring.Advisor;

/// <summary>
/// One check of the advisor: a query whose rows are findings (object, level, detail) and the words
/// that explain every finding of this kind. The level comes from the query because some checks grade
/// by degree (a sequence at 85 % warns, at 95 % it is an error).
/// </summary>
public sealed record AdvisorCheck(string Name, string Why, string Remedy, string Sql);

/// <summary>A finding as the API shows it.</summary>
public sealed record Finding(string Level, string Check, string Object, string Why, string Remedy);

public static class FindingLevels
{
    public const string Error = "error";
    public const string Warn = "warn";
    public const string Info = "info";
}
