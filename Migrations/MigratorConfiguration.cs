using Microsoft.Extensions.Configuration;
using Npgsql;

namespace WedSync.Migrations;

/// <summary>
/// The one configuration every verb reads (<c>up</c>, <c>status</c>, <c>verify</c>, <c>repair</c>, <c>plan</c>,
/// <c>lint --fix</c>), with or without a host: built-in defaults, <c>appsettings.json</c> and
/// <c>appsettings.{Environment}.json</c> beside the executable, then those of the working directory (a checkout's, under <c>dotnet run</c>), user
/// secrets in Development, environment variables, the command line; later sources win. A verb that read
/// fewer sources saw another database than the others (<c>lint --fix</c> then rewrote applied scripts).
/// Every value that cannot be used is a <see cref="MigratorConfigurationException"/> (exit 2) naming it.
/// </summary>
public static class MigratorConfiguration
{
    /// <summary>
    /// The longest timeout the runtime can wait for (a timer's limit, about 24.8 days): beyond it a wait
    /// fails at run time, so a larger setting is refused up front.
    /// </summary>
    public static readonly TimeSpan LongestTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary><c>DOTNET_ENVIRONMENT</c>, as the .NET host reads it (Production when unset).</summary>
    public static string EnvironmentName => Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } name ? name : "Production";

    /// <summary>Development, in any letter case, as the .NET host compares it.</summary>
    public static bool IsDevelopment => string.Equals(EnvironmentName, "Development", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What Migrations/appsettings.json says, for a migrator run without it: a published executable or the
    /// container image has no appsettings.json of its own (one beside it would also land in the API's
    /// output, which references this project, and clash with the API's).
    /// </summary>
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
    };

    public static IConfigurationRoot Build(IReadOnlyList<string> commandLine)
    {
        var builder = new ConfigurationBuilder().AddInMemoryCollection(Defaults);
        foreach (var folder in SettingsFolders())
        {
            builder.AddJsonFile(Path.Combine(folder, "appsettings.json"), optional: true)
                .AddJsonFile(Path.Combine(folder, $"appsettings.{EnvironmentName}.json"), optional: true);
        }

        if (IsDevelopment)
        {
            builder.AddUserSecrets(typeof(MigratorOptions).Assembly, optional: true);
        }

        return builder.AddEnvironmentVariables().AddCommandLine(commandLine.ToArray()).Build();
    }

    /// <summary>The <c>Migrations</c> section, bound and checked.</summary>
    public static MigratorOptions Options(IConfiguration configuration)
    {
        MigratorOptions options;
        try
        {
            options = configuration.GetSection(MigratorOptions.SectionName).Get<MigratorOptions>() ?? new MigratorOptions();
        }
        catch (InvalidOperationException ex)
        {
            // The binder's "Failed to convert configuration value ... to type System.TimeSpan", with why.
            throw new MigratorConfigurationException($"{ex.Message}{(ex.InnerException is { } inner ? " " + inner.Message : "")}");
        }

        return MigratorComposition.Problems(options) is { Count: > 0 } problems
            ? throw new MigratorConfigurationException(string.Join(" ", problems))
            : options;
    }

    /// <summary>
    /// <c>ConnectionStrings:wedsync</c>, checked to be a connection string Npgsql can use (a misspelt key or a
    /// port that is not a number is a configuration error, not a failure to reach the database).
    /// </summary>
    public static string ConnectionString(IConfiguration configuration)
    {
        if (configuration.GetConnectionString(MigratorOptions.ConnectionStringName) is not { Length: > 0 } connectionString)
        {
            throw new MigratorConfigurationException(
                $"ConnectionStrings:{MigratorOptions.ConnectionStringName} is not set (environment: ConnectionStrings__{MigratorOptions.ConnectionStringName}).");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql's message names the key, never the password.
            throw new MigratorConfigurationException($"ConnectionStrings:{MigratorOptions.ConnectionStringName} cannot be used: {ex.Message}");
        }

        return connectionString;
    }

    /// <summary>The connection string when one is set and usable, else null (lint reads the journal only for --fix).</summary>
    public static string? OptionalConnectionString(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration.GetConnectionString(MigratorOptions.ConnectionStringName)) ? null : ConnectionString(configuration);

    // The executable's folder (where an operator may put settings for a published migrator), then the working directory.
    private static IEnumerable<string> SettingsFolders()
    {
        var beside = Path.GetFullPath(AppContext.BaseDirectory);
        var working = Path.GetFullPath(Directory.GetCurrentDirectory());
        return string.Equals(beside.TrimEnd(Path.DirectorySeparatorChar), working.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)
            ? [beside]
            : [beside, working];
    }
}
