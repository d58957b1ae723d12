using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using FastEndpoints;
using FluentValidation.Results;

namespace WedSync.Api.Platform.Validation;

/// <summary>
/// Runs before every endpoint's handler over the bound request (body, route, query and header members
/// alike): a value the database could not store as sent, or a time outside <see cref="ApiTime"/>'s range,
/// is a 400 naming the field, before any statement runs, instead of a 500 from PostgreSQL or the driver (and a failed statement on a pooled connection).
/// </summary>
public sealed class RequestInputCheck : IGlobalPreProcessor
{
    private const int MaxDepth = 8;

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Members = new();

    public async Task PreProcessAsync(IPreProcessorContext context, CancellationToken ct)
    {
        if (context.Request is null || context.HttpContext.ResponseStarted())
        {
            return;
        }

        var failures = new List<ValidationFailure>();
        InspectObject(context.Request, "", failures, 0);
        if (failures.Count == 0)
        {
            return;
        }

        context.ValidationFailures.AddRange(failures);
        await context.HttpContext.Response.SendErrorsAsync(context.ValidationFailures, cancellation: ct);
    }

    private static void InspectObject(object value, string path, List<ValidationFailure> failures, int depth)
    {
        foreach (var member in Members.GetOrAdd(value.GetType(), ReadableMembers))
        {
            Inspect(member.GetValue(value), Join(path, JsonNamingPolicy.CamelCase.ConvertName(member.Name)), failures, depth + 1);
        }
    }

    private static void Inspect(object? value, string path, List<ValidationFailure> failures, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        switch (value)
        {
            case null:
                return;
            case string text:
                if (StorableText.Problem(text) is { } problem)
                {
                    failures.Add(new ValidationFailure(path, problem));
                }

                return;
            case DateTimeOffset time:
                if (!ApiTime.InRange(time))
                {
                    failures.Add(new ValidationFailure(path, ApiTime.RangeMessage));
                }

                return;
            case JsonElement json:
                InspectJson(json, path, failures, depth);
                return;
            case IEnumerable items:
                var index = 0;
                foreach (var item in items)
                {
                    Inspect(item, $"{path}[{index++}]", failures, depth + 1);
                }

                return;
        }

        var type = value.GetType();
        if (type.Namespace?.StartsWith("WedSync", StringComparison.Ordinal) == true && type.IsClass)
        {
            InspectObject(value, path, failures, depth);
        }
    }

    private static void InspectJson(JsonElement json, string path, List<ValidationFailure> failures, int depth)
    {
        if (depth > MaxDepth + 64)
        {
            return;
        }

        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                if (Text(json) is not { } text)
                {
                    failures.Add(new ValidationFailure(path, StorableText.SurrogateMessage));
                }
                else if (StorableText.Problem(text) is { } problem)
                {
                    failures.Add(new ValidationFailure(path, problem));
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in json.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = Join(path, property.Name);
                    }
                    catch (InvalidOperationException)
                    {
                        failures.Add(new ValidationFailure(path, $"A member name: {StorableText.SurrogateMessage}"));
                        continue;
                    }

                    if (StorableText.Problem(property.Name) is { } nameProblem)
                    {
                        failures.Add(new ValidationFailure(path, $"A member name: {nameProblem}"));
                        continue;
                    }

                    InspectJson(property.Value, name, failures, depth + 1);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in json.EnumerateArray())
                {
                    InspectJson(item, $"{path}[{index++}]", failures, depth + 1);
                }

                break;
        }
    }

    // JSON escapes an unpaired surrogate can be parsed, but not read as a .NET string.
    private static string? Text(JsonElement json)
    {
        try
        {
            return json.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static PropertyInfo[] ReadableMembers(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .ToArray();

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
