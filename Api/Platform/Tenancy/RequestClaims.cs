using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using WedSync.Api.Platform.Auth;

namespace WedSync.Api.Platform.Tenancy;

/// <summary>
/// The validated token claims as the JSON object SQL reads from <c>request.jwt.claims</c>
/// (PostgREST style): repeated claims become arrays, and <c>roles</c> is always an array so
/// <c>claims -> 'roles' ? 'platform_admin'</c> works for one role or none.
/// </summary>
public static class RequestClaims
{
    public static string ToJson(ClaimsPrincipal user)
    {
        var json = new JsonObject();
        foreach (var group in user.Claims.GroupBy(claim => claim.Type, StringComparer.Ordinal))
        {
            var values = group.Select(ToNode).ToArray();
            json[group.Key] = group.Key == ClaimNames.Roles || values.Length > 1 ? new JsonArray(values) : values[0];
        }

        json[ClaimNames.Roles] ??= new JsonArray();
        return json.ToJsonString();
    }

    private static JsonNode? ToNode(Claim claim) => claim.ValueType switch
    {
        ClaimValueTypes.Integer or ClaimValueTypes.Integer32 or ClaimValueTypes.Integer64
            when long.TryParse(claim.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        ClaimValueTypes.Boolean when bool.TryParse(claim.Value, out var flag) => JsonValue.Create(flag),
        _ => JsonValue.Create(claim.Value),
    };
}
