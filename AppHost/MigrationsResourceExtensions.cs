namespace WedSync.AppHost;

public static class MigrationsResourceExtensions
{
    /// <summary>
    /// Development runs get the demo organizations and users; published (deployed) runs never do,
    /// because the manifest is built in publish mode.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDemoDataInDevelopment(
        this IResourceBuilder<ProjectResource> migrations, IDistributedApplicationBuilder builder)
    {
        var seed = builder.ExecutionContext.IsRunMode && builder.Environment.EnvironmentName == "Development";
        return migrations.WithEnvironment("Migrations__SeedDemoData", seed ? "true" : "false");
    }
}
