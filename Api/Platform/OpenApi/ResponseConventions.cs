using FastEndpoints;
using FastEndpoints.Swagger;
using Namotion.Reflection;
using NJsonSchema;
using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Platform.OpenApi;

/// <summary>
/// Makes each operation's responses the statuses the endpoint answers, from the one place an endpoint
/// names them: <c>Summary(s => s.Responses[status] = "...")</c>. FastEndpoints uses those texts only as
/// descriptions of responses declared elsewhere, and declares a 200 for every endpoint, so a 201, 302
/// or 404 named in the summary went missing and a 200 that never comes stayed. Here:
/// <list type="bullet">
/// <item>a success (2xx) named in the summary gets the response type's schema (204: no body); when the
/// summary names successes, no other success is documented, and FastEndpoints' default 200 or 204 also
/// goes when <c>Produces</c> declares another success;</item>
/// <item>a redirect (3xx) gets no body and a <c>Location</c> header;</item>
/// <item>an error (4xx/5xx) gets an <c>application/problem+json</c> body (400: the validation problem);</item>
/// <item>a 429 or 503 says when to come back (<c>Retry-After</c>);</item>
/// <item>an operation that reads a body can answer 415 to a body of another media type.</item>
/// </list>
/// Responses declared with <c>Description(b => b.Produces...)</c> keep their own content.
/// </summary>
public sealed class ResponseConventions : IOperationProcessor
{
    public bool Process(OperationProcessorContext context)
    {
        var endpoint = context.GetEndpointDefinition();
        if (endpoint is null)
        {
            return true;
        }

        var responses = context.OperationDescription.Operation.Responses;
        var named = endpoint.EndpointSummary?.Responses ?? [];
        var namedSuccesses = named.Keys.Where(status => status is >= 200 and < 400).ToList();
        // FastEndpoints' default success (200 with a response type, else 204) is never sent by an endpoint
        // that names its own successes, or declares another one with Produces (201, 302...).
        var defaults = new[] { "200", "204" };
        var declaredOther = responses.Keys.Any(key => key[0] is '2' or '3' && !defaults.Contains(key));
        foreach (var key in responses.Keys.Where(key => key[0] is '2' or '3').ToList())
        {
            var isNamed = namedSuccesses.Contains(int.Parse(key, System.Globalization.CultureInfo.InvariantCulture));
            if (!isNamed && (namedSuccesses.Count > 0 || (declaredOther && defaults.Contains(key))))
            {
                responses.Remove(key);
            }
        }

        foreach (var (status, description) in named)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!responses.TryGetValue(key, out var response))
            {
                response = new OpenApiResponse();
                responses[key] = response;
                Describe(context, endpoint, status, response);
            }

            response.Description = description;
        }

        if (context.OperationDescription.Operation.RequestBody is not null && !responses.ContainsKey("415"))
        {
            // A body in another media type than the operation consumes (FastEndpoints refuses it before binding).
            var unsupported = new OpenApiResponse();
            Describe(context, endpoint, StatusCodes.Status415UnsupportedMediaType, unsupported);
            responses["415"] = unsupported;
        }

        foreach (var (key, response) in responses)
        {
            if (key is "429" or "503")
            {
                response.Headers["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before trying again.",
                    Schema = new JsonSchema { Type = JsonObjectType.Integer },
                };
            }

            if (string.IsNullOrWhiteSpace(response.Description))
            {
                response.Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(int.Parse(key, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return true;
    }

    private static void Describe(OperationProcessorContext context, EndpointDefinition endpoint, int status, OpenApiResponse response)
    {
        if (status >= 400)
        {
            var type = status == StatusCodes.Status400BadRequest ? typeof(ValidationProblemResponse) : typeof(ProblemResponse);
            response.Content["application/problem+json"] = new OpenApiMediaType { Schema = Reference(context, type) };
        }
        else if (status >= 300)
        {
            response.Headers["Location"] = new OpenApiHeader
            {
                Description = "Where the redirect leads.",
                Schema = new JsonSchema { Type = JsonObjectType.String, Format = "uri" },
            };
        }
        else if (status != StatusCodes.Status204NoContent && endpoint.ResDtoType is { } dto && dto != typeof(object) && dto != typeof(EmptyResponse))
        {
            response.Content["application/json"] = new OpenApiMediaType { Schema = Reference(context, dto) };
        }
    }

    private static JsonSchema Reference(OperationProcessorContext context, Type type) =>
        context.SchemaGenerator.GenerateWithReference<JsonSchema>(type.ToContextualType(), context.SchemaResolver);
}
