namespace WedSync.AppHost.Fleet;

/// <summary>
/// The machine's <c>pgbouncer</c> in transaction mode in front of one database, as a process of the AppHost; its
/// connection string reaches that database through the pooler with the server's own login.
/// </summary>
public sealed class LocalPgBouncerResource(string name, string command, string workingDirectory, string databaseName, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string UserName = "postgres";

    public string DatabaseName { get; } = databaseName;

    public ParameterResource Password { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    // PgBouncer 1.18 (Debian bookworm) cannot keep prepared statements in transaction mode (1.21 can), and Npgsql's
    // DISCARD ALL on close means nothing to a transaction pooler.
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={Password};Database={DatabaseName};Max Auto Prepare=0;No Reset On Close=true");
}
