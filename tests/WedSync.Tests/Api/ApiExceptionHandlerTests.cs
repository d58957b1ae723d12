using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using WedSync.Api.Platform.Problems;

namespace WedSync.Tests.Api;

/// <summary>The exception handler's answers, including what it must not say outside Development.</summary>
public sealed class ApiExceptionHandlerTests
{
    [Fact]
    public async Task Unexpected_exception_outside_development_is_500_without_exception_details()
    {
        var (status, problem, _) = await HandleAsync(new InvalidOperationException("secret internals"), Environments.Production);

        Assert.Equal(500, status);
        Assert.False(problem.Extensions.ContainsKey("exception"));
        Assert.DoesNotContain("secret internals", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unexpected_exception_in_development_shows_the_exception()
    {
        var (status, problem, _) = await HandleAsync(new InvalidOperationException("secret internals"), Environments.Development);

        Assert.Equal(500, status);
        Assert.True(problem.Extensions.ContainsKey("exception"));
    }

    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation, 409)]
    [InlineData(PostgresErrorCodes.CheckViolation, 422)]
    [InlineData(PostgresErrorCodes.ForeignKeyViolation, 422)]
    [InlineData(PostgresErrorCodes.InsufficientPrivilege, 403)]
    [InlineData(PostgresErrorCodes.SerializationFailure, 503)]
    public async Task Postgres_error_becomes_its_status(string sqlState, int expected)
    {
        var (status, problem, context) = await HandleAsync(new PostgresException("constraint uq_secret", "ERROR", "ERROR", sqlState), Environments.Production);

        Assert.Equal(expected, status);
        Assert.Equal(expected, problem.Status);
        Assert.DoesNotContain("uq_secret", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(expected == 503, context.Response.Headers.RetryAfter.Count > 0);
    }

    [Fact]
    public async Task Oversized_body_is_400()
    {
        var (status, _, _) = await HandleAsync(new BadHttpRequestException("too large", StatusCodes.Status413PayloadTooLarge), Environments.Production);

        Assert.Equal(400, status);
    }

    private static async Task<(int Status, ProblemDetails Problem, HttpContext Context)> HandleAsync(Exception exception, string environment)
    {
        var writer = new CapturingProblemDetailsService();
        var handler = new ApiExceptionHandler(writer, new TestEnvironment(environment), NullLogger<ApiExceptionHandler>.Instance);
        var context = new DefaultHttpContext();

        Assert.True(await handler.TryHandleAsync(context, exception, CancellationToken.None));
        return (context.Response.StatusCode, writer.Written!, context);
    }

    private sealed class CapturingProblemDetailsService : IProblemDetailsService
    {
        public ProblemDetails? Written { get; private set; }

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            Written = context.ProblemDetails;
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> TryWriteAsync(ProblemDetailsContext context)
        {
            Written = context.ProblemDetails;
            return ValueTask.FromResult(true);
        }
    }

    private sealed class TestEnvironment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "WedSync.Api";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
