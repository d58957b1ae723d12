using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using FastEndpoints;
using FastEndpoints.Swagger;
using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace WedSync.Api.Platform.OpenApi;

/// <summary>
/// Query parameters as the binder treats them: a missing one keeps the request type's initial value
/// (<c>public int Page { get; init; } = 1;</c>), so it is optional, and that value is its documented
/// default. FastEndpoints only sees nullability and constructor defaults, and so called every
/// non-nullable query parameter required. A property the client must send says so with the C#
/// <c>required</c> modifier. Path parameters are always required and stay so.
/// </summary>
public sealed class QueryParameterDefaults : IOperationProcessor
{
    public bool Process(OperationProcessorContext context)
    {
        var endpoint = context.GetEndpointDefinition();
        var requestType = endpoint?.ReqDtoType;
        if (requestType is null || requestType == typeof(EmptyRequest) || requestType.GetConstructor(Type.EmptyTypes) is null)
        {
            return true;
        }

        var defaults = Activator.CreateInstance(requestType);
        var properties = requestType.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        foreach (var parameter in context.OperationDescription.Operation.Parameters.Where(p => p.Kind == OpenApiParameterKind.Query))
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                continue;
            }

            parameter.IsRequired = property.IsDefined(typeof(RequiredMemberAttribute));
            var value = property.GetValue(defaults);
            if (!parameter.IsRequired && value is not null)
            {
                // The wire form of the value (camelCase enums, ISO dates), as the binder reads it back.
                parameter.Schema.Default = Newtonsoft.Json.Linq.JToken.Parse(JsonSerializer.Serialize(value, property.PropertyType));
            }

            parameter.Schema.IsNullableRaw = null;
        }

        return true;
    }
}
