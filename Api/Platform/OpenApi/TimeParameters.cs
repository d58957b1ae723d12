using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;
using WedSync.Api.Platform.Validation;

namespace WedSync.Api.Platform.OpenApi;

/// <summary>
/// Every date-time parameter says how the API reads it and which range it accepts (<see cref="ApiTime"/>).
/// </summary>
public sealed class TimeParameters : IOperationProcessor
{
    public bool Process(OperationProcessorContext context)
    {
        var parameters = context.OperationDescription.Operation.Parameters;
        foreach (var parameter in parameters.Where(p => p.Kind is OpenApiParameterKind.Query or OpenApiParameterKind.Path))
        {
            var schema = parameter.Schema?.ActualSchema;
            if (schema?.Format == "date-time")
            {
                parameter.Description = string.IsNullOrEmpty(parameter.Description) ? ApiTime.Documentation : $"{parameter.Description} {ApiTime.Documentation}";
            }
        }

        return true;
    }
}
