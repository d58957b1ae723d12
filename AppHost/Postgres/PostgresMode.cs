namespace WedSync.AppHost.Postgres;

/// <summary>Where the AppHost gets its PostgreSQL server from (configuration <c>Postgres:Mode</c>).</summary>
public enum PostgresMode
{
    Auto,
    Container,
    Local,
    External,
}
