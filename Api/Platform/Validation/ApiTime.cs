using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using FastEndpoints;
using Microsoft.Extensions.Primitives;

namespace WedSync.Api.Platform.Validation;

/// <summary>
/// How every time the API reads (query, route and body alike) is understood: ISO 8601 with any offset,
/// or none, which is read as UTC (never as the server's zone); normalised to UTC before any code or the
/// driver sees it (Npgsql writes timestamptz only from UTC values); and within
/// [<see cref="Earliest"/>, <see cref="Latest"/>), so the ends of the calendar never reach date arithmetic
/// or the database.
/// </summary>
public static class ApiTime
{
    public static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Latest = new(3000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const string RangeMessage = "Must be an ISO 8601 time from 1970-01-01T00:00:00Z up to (not including) 3000-01-01T00:00:00Z.";

    /// <summary>The OpenAPI words for every time parameter.</summary>
    public const string Documentation =
        "ISO 8601 date-time; any offset, none is read as UTC; from 1970-01-01T00:00:00Z up to (not including) 3000-01-01T00:00:00Z, else 400.";

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text) || !LooksIso8601(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }

        value = parsed.ToUniversalTime();
        return true;
    }

    public static bool InRange(DateTimeOffset value) => value >= Earliest && value < Latest;

    /// <summary>Query and route values: parsed as above; FastEndpoints answers 400 for what does not parse.</summary>
    public static void UseForBinding(BindingOptions binding)
    {
        binding.ValueParserFor<DateTimeOffset>(Parse);
        binding.ValueParserFor<DateTimeOffset?>(values => values.Count == 0 || string.IsNullOrEmpty(values[0]) ? new ParseResult(true, null) : Parse(values));
    }

    private static ParseResult Parse(StringValues values) =>
        TryParse(values.ToString(), out var value) ? new ParseResult(true, value) : new ParseResult(false, null);

    // Dates (2026-12-05) and date-times (2026-12-05T10:00, with seconds, fractions and an offset or Z).
    private static bool LooksIso8601(string text) =>
        text.Length >= 10 && char.IsAsciiDigit(text[0]) && char.IsAsciiDigit(text[3]) && text[4] == '-' && text[7] == '-';

    /// <summary>JSON bodies: the same reading; written as before (UTC, round-trip format).</summary>
    public sealed class JsonConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && TryParse(reader.GetString(), out var value)
                ? value
                : throw new JsonException("Not an ISO 8601 date-time.");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value);
    }
}
