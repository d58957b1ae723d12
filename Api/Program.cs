using System.Text.Json.Serialization;
using FastEndpoints;
using WedSync.Api.Features.Migrations;
using WedSync.Api.Features.Monitoring;
using WedSync.Api.Features.Referrals.Expiry;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Features.Referrals.Sweeps;
using WedSync.Api.OperatorConsole;
using WedSync.Api.Platform.Auth;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Health;
using WedSync.Api.Platform.Network;
using WedSync.Api.Platform.OpenApi;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.RateLimiting;
using WedSync.Api.Platform.Requests;
using WedSync.Api.Platform.Tenancy;
using WedSync.Api.Platform.Validation;
using WedSync.Api.Platform.Webhooks;

// Settings beside the executable, wherever it is started from (a container, a service manager, a script).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

if (DevTokenCommand.IsRequested(args))
{
    return DevTokenCommand.Run(args, builder.Configuration, builder.Environment);
}

builder.AddServiceDefaults();
// Registers /health's database check; the journal check beside it makes /health need both.
builder.AddWedSyncDatabase();
builder.Services.AddSingleton<MigrationCatalogStatus>();
builder.Services.AddSingleton<WedSync.Api.Features.Migrations.Impact.ImpactData>();
builder.Services.AddHealthChecks().AddCheck<MigrationsAppliedHealthCheck>("migrations-applied");
builder.AddWedSyncAuthentication();
// The operator console under /console: Razor components with a cookie sign-in of their own.
builder.AddWedSyncConsole();
builder.Services.AddWedSyncProblemDetails();
builder.Services.AddWedSyncRateLimiting();
builder.Services.AddWedSyncRequestLimits();
builder.Services.AddWedSyncForwardedHeaders();
builder.Services.AddScoped<TenantSession>();
builder.Services.AddOptions<ReferralOptions>()
    .BindConfiguration(ReferralOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddHostedService<ReferralExpirySweep>();
builder.Services.AddHostedService<RewardSweep>();
builder.Services.AddWedSyncMonitoring();
builder.Services.AddWedSyncWebhooks();
builder.Services.AddFastEndpoints();
builder.Services.AddWedSyncOpenApi();

var app = builder.Build();

// First: everything below (problem traces, rate limits, per-IP rules) sees the client, not the proxy.
app.UseWedSyncForwardedHeaders();
// Redirects name paths, never the Host header a client sent.
app.UseWedSyncHostFreeRedirects();
// Whatever answers an error below, no cache stores it.
app.UseWedSyncErrorCaching();
// Outermost: whatever fails below becomes a problem response; bodiless 4xx (401, 403, 404 of
// unknown routes, 405, 415) get one too.
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWedSyncRequestLimits();
app.UseAuthentication();
app.UseWedSyncConsoleIdentity();
// After authentication, so the limiter partitions by user; before authorization, so floods of
// anonymous requests are throttled too.
app.UseRateLimiter();
app.UseAuthorization();
app.MapWedSyncConsole();
app.UseFastEndpoints(config =>
{
    config.Endpoints.RoutePrefix = "api";
    config.Endpoints.NameGenerator = OpenApiSetup.OperationId;
    config.Endpoints.Configurator = endpoint =>
    {
        OpenApiSetup.DescribeEndpoint(endpoint);
        // Values the database cannot store as sent are a 400 naming the field before any statement runs.
        endpoint.PreProcessor<RequestInputCheck>(Order.Before);
    };
    config.Endpoints.GlobalResponseModifierAsync = TenantSessionCompletion.BeforeResponseAsync;
    // Unknown JSON members are a client mistake worth a 400, not something to drop silently.
    config.Serializer.Options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    // Times: ISO 8601, any offset or none (UTC), normalised to UTC wherever they are bound.
    config.Serializer.Options.Converters.Add(new ApiTime.JsonConverter());
    ApiTime.UseForBinding(config.Binding);
    config.Errors.UseProblemDetails(problems => problems.ResponseBuilder = ValidationProblems.Build);
    config.Errors.ProducesMetadataType = typeof(ValidationProblemResponse);
});
app.UseWedSyncOpenApi();
app.MapDefaultEndpoints();

app.Run();
return 0;

// Lets integration tests name the entry assembly.
public partial class Program;
