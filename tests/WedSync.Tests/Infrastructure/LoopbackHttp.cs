using System.Net;

namespace WedSync.Tests.Infrastructure;

/// <summary>The request loop of the tests' small real HTTP servers (a webhook receiver, an OIDC provider).</summary>
public static class LoopbackHttp
{
    /// <summary>Answers each request with <paramref name="handle"/> until the listener is stopped.</summary>
    public static async Task ServeAsync(HttpListener listener, Func<HttpListenerContext, Task> handle)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped: the loop ends with the listener.
                return;
            }

            await handle(context);
        }
    }
}
