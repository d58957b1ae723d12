using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// What a failed attempt is recorded as: a category, never the receiver's body, reason phrase or the
/// socket's message, so that the delivery log cannot be used to tell which internal hosts and ports answer.
/// </summary>
public static class DeliveryError
{
    public const string Timeout = "timeout";

    public static string Status(HttpStatusCode status) => $"http_status {(int)status}";

    public static string Of(Exception exception)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case WebhookTargetRefusedException refused:
                    return $"target_refused: {refused.Rule}";
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection_refused",
                        SocketError.TimedOut => Timeout,
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "name_not_resolved",
                        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.NetworkDown => "unreachable",
                        SocketError.ConnectionReset or SocketError.ConnectionAborted => "connection_reset",
                        _ => "connection_failed",
                    };
                case AuthenticationException:
                    return "tls_failed";
                case FormatException:
                    return "invalid_secret";
            }
        }

        return exception is HttpRequestException http
            ? http.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "name_not_resolved",
                HttpRequestError.SecureConnectionError => "tls_failed",
                HttpRequestError.ConnectionError => "connection_failed",
                HttpRequestError.ResponseEnded => "response_ended",
                HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError => "invalid_response",
                _ => "request_failed",
            }
            : "request_failed";
    }
}
