using FastEndpoints;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("wedsync");
builder.Services.AddFastEndpoints();

var app = builder.Build();

app.UseFastEndpoints(config =>
{
    config.Endpoints.RoutePrefix = "api";
    config.Errors.UseProblemDetails();
});
app.MapDefaultEndpoints();

app.Run();

// Lets integration tests name the entry assembly.
public partial class Program;
