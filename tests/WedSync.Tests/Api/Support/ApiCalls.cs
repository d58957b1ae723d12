using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace WedSync.Tests.Api.Support;

/// <summary>Requests with a bearer token per request: the fixture's HttpClient is shared by every test.</summary>
public static class ApiCalls
{
    public static Task<HttpResponseMessage> GetAsync(this HttpClient api, string path, string? token) =>
        api.SendAsync(Request(HttpMethod.Get, path, token));

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient api, string path, string? token, object body) =>
        api.PatchRawAsync(path, token, JsonSerializer.Serialize(body), "application/json");

    /// <param name="expectContinue">
    /// Ask before sending the body (<c>Expect: 100-continue</c>), as clients do for large uploads: a server
    /// that refuses the body unread then answers without the connection being reset under the client.
    /// </param>
    public static Task<HttpResponseMessage> PatchRawAsync(
        this HttpClient api, string path, string? token, string body, string contentType, bool expectContinue = false)
    {
        var request = Request(HttpMethod.Patch, path, token);
        request.Headers.ExpectContinue = expectContinue;
        request.Content = new StringContent(body, Encoding.UTF8);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return api.SendAsync(request);
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    /// <summary>Asserts an RFC 9457 body and returns it for further checks.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        return problem;
    }
}
