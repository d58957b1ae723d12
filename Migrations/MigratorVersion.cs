using System.Reflection;

namespace WedSync.Migrations;

public static class MigratorVersion
{
    public static string Current { get; } =
        typeof(MigratorVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0.0.0";
}
