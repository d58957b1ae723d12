using Microsoft.Extensions.Configuration;

namespace WedSync.AppHost.Postgres;

/// <summary>The <c>Postgres</c> configuration section of the AppHost.</summary>
public sealed record PostgresSettings(PostgresMode Mode, string? DataPath, string? BinPath)
{
    public const string SectionName = "Postgres";

    public static PostgresSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var modeText = section["Mode"];
        var mode = PostgresMode.Auto;
        if (!string.IsNullOrWhiteSpace(modeText) && !Enum.TryParse(modeText, ignoreCase: true, out mode))
        {
            throw new InvalidOperationException(
                $"Postgres:Mode '{modeText}' is not one of auto, container, local, external.");
        }

        return new PostgresSettings(mode, Blank(section["DataPath"]), Blank(section["BinPath"]));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
