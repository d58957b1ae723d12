using Npgsql;
using WedSync.Bench.Baseline;

// The raw baseline of the POST /api/referrals benchmark: the same two inserts (a code, then the
// referral that uses it) in one transaction with plain Npgsql. No authentication, no tenant session,
// no row-level security, no fraud checks, no rate limits, no telemetry: what remains when the
// platform is taken away, so that the API's throughput can be reported as a ratio of this one.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var connectionString = builder.Configuration.GetConnectionString("wedsync")
    ?? throw new InvalidOperationException("Set ConnectionStrings__wedsync.");
builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
builder.Services.AddSingleton<Referrers>();

var app = builder.Build();

// Fails fast when the data set is missing, not at the first request of the load.
await app.Services.GetRequiredService<Referrers>().LoadAsync(app.Lifetime.ApplicationStopping);

app.MapGet("/health", () => Results.Text("Healthy"));
app.MapPost("/referrals", CreateReferral.HandleAsync);

app.Run();
