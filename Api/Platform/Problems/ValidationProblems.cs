using System.Text.Json;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http;

namespace WedSync.Api.Platform.Problems;

/// <summary>
/// FastEndpoints' validation and binding failures as RFC 9457 problem details in ASP.NET Core's
/// shape (<c>errors</c>: field → messages), so they read like every other problem of this API.
/// </summary>
public static class ValidationProblems
{
    public static object Build(List<ValidationFailure> failures, HttpContext context, int status)
    {
        var errors = failures
            .GroupBy(failure => FieldName(failure.PropertyName), StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Select(failure => failure.ErrorMessage).Distinct().ToArray());
        var problem = new HttpValidationProblemDetails(errors)
        {
            Status = status,
            Title = "One or more validation errors occurred.",
            Type = status == StatusCodes.Status400BadRequest ? "https://tools.ietf.org/html/rfc9110#section-15.5.1" : null,
        };
        ProblemConventions.Apply(problem, context);
        return problem;
    }

    private static string FieldName(string propertyName) =>
        string.IsNullOrEmpty(propertyName) ? "request" : JsonNamingPolicy.CamelCase.ConvertName(propertyName);
}
