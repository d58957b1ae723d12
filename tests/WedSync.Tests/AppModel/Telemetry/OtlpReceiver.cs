using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.AppModel.Telemetry;

/// <summary>
/// A real OTLP/HTTP (protobuf) endpoint on loopback, as the dashboard's collector is: it keeps the spans
/// and histogram bucket boundaries a process exports, read with a small wire-format reader of its own.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task serving;

    public OtlpReceiver()
    {
        Endpoint = new Uri($"http://127.0.0.1:{ApiServer.FreePort()}/");
        listener.Prefixes.Add(Endpoint.ToString());
        listener.Start();
        serving = LoopbackHttp.ServeAsync(listener, HandleAsync);
    }

    public Uri Endpoint { get; }

    public ConcurrentQueue<ExportedSpan> Spans { get; } = new();

    /// <summary>Histogram name → the explicit bucket boundaries and the count of its last data point.</summary>
    public ConcurrentDictionary<string, (double[] Bounds, ulong Count)> Histograms { get; } = new();

    /// <summary>The environment that sends a process's telemetry here, flushed within about a second.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        await serving;
        listener.Close();
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        var input = context.Request.Headers["Content-Encoding"] == "gzip"
            ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress)
            : context.Request.InputStream;
        await input.CopyToAsync(body);
        var path = context.Request.Url!.AbsolutePath;
        if (path.EndsWith("/v1/traces", StringComparison.Ordinal))
        {
            ReadTraces(body.ToArray());
        }
        else if (path.EndsWith("/v1/metrics", StringComparison.Ordinal))
        {
            ReadMetrics(body.ToArray());
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-protobuf";
        context.Response.Close();
    }

    // ExportTraceServiceRequest: resource_spans(1) → scope_spans(2) → spans(2).
    private void ReadTraces(byte[] request)
    {
        foreach (var resourceSpans in Protobuf.Messages(request, 1))
        {
            foreach (var scopeSpans in Protobuf.Messages(resourceSpans, 2))
            {
                foreach (var span in Protobuf.Messages(scopeSpans, 2))
                {
                    var fields = Protobuf.Fields(span).ToList();
                    byte[] Bytes(int number) => fields.FirstOrDefault(f => f.Number == number).Bytes ?? [];
                    Spans.Enqueue(new ExportedSpan(
                        Convert.ToHexString(Bytes(1)),
                        Convert.ToHexString(Bytes(2)),
                        Convert.ToHexString(Bytes(4)),
                        System.Text.Encoding.UTF8.GetString(Bytes(5)),
                        (int)fields.FirstOrDefault(f => f.Number == 6).Value,
                        DateTimeOffset.UnixEpoch.AddTicks((long)(fields.FirstOrDefault(f => f.Number == 7).Value / 100))));
                }
            }
        }
    }

    // ExportMetricsServiceRequest: resource_metrics(1) → scope_metrics(2) → metrics(2): name(1), histogram(9) → data_points(1).
    private void ReadMetrics(byte[] request)
    {
        foreach (var resourceMetrics in Protobuf.Messages(request, 1))
        {
            foreach (var scopeMetrics in Protobuf.Messages(resourceMetrics, 2))
            {
                foreach (var metric in Protobuf.Messages(scopeMetrics, 2))
                {
                    var name = System.Text.Encoding.UTF8.GetString(Protobuf.Messages(metric, 1).FirstOrDefault() ?? []);
                    foreach (var histogram in Protobuf.Messages(metric, 9))
                    {
                        foreach (var point in Protobuf.Messages(histogram, 1))
                        {
                            var fields = Protobuf.Fields(point).ToList();
                            // explicit_bounds(7): packed doubles; count(4): fixed64.
                            var packed = fields.Where(f => f.Number == 7 && f.Bytes is not null).SelectMany(f => Doubles(f.Bytes!));
                            var single = fields.Where(f => f.Number == 7 && f.Bytes is null).Select(f => BitConverter.Int64BitsToDouble((long)f.Value));
                            Histograms[name] = ([.. packed, .. single], fields.FirstOrDefault(f => f.Number == 4).Value);
                        }
                    }
                }
            }
        }
    }

    private static IEnumerable<double> Doubles(byte[] packed)
    {
        for (var i = 0; i + 8 <= packed.Length; i += 8)
        {
            yield return BitConverter.ToDouble(packed, i);
        }
    }
}

/// <summary>One exported span; ids are hex, an empty parent id makes it a trace's root. Kind: 2 server, 3 client.</summary>
public sealed record ExportedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, DateTimeOffset Start)
{
    public bool IsRoot => ParentSpanId.Length == 0;
}

/// <summary>The protobuf wire format, as much as OTLP needs: varints, fixed 32/64-bit and length-delimited fields.</summary>
internal static class Protobuf
{
    public readonly record struct Field(int Number, ulong Value, byte[]? Bytes);

    public static IEnumerable<byte[]> Messages(byte[] message, int number) =>
        Fields(message).Where(f => f.Number == number && f.Bytes is not null).Select(f => f.Bytes!);

    public static IEnumerable<Field> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = Varint(message, ref position);
            var number = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    yield return new Field(number, Varint(message, ref position), null);
                    break;
                case 1:
                    yield return new Field(number, BitConverter.ToUInt64(message, position), null);
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    yield return new Field(number, 0, message[position..(position + length)]);
                    position += length;
                    break;
                case 5:
                    yield return new Field(number, BitConverter.ToUInt32(message, position), null);
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported wire type in field {number}");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
