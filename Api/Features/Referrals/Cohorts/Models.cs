using System.Globalization;
using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Referrals.Cohorts;

public sealed class Request
{
    /// <summary>First cohort month, yyyy-MM (UTC); default 11 months before to (or before the current UTC month).</summary>
    public string? From { get; init; }

    /// <summary>Last cohort month, yyyy-MM (UTC), inclusive; default 11 months after from (or the current UTC month).</summary>
    public string? To { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public const int MaxMonths = 36;

    public Validator()
    {
        RuleFor(r => r.From).Must(m => Month.TryParse(m, out _)).When(r => r.From is not null).WithMessage("Must be a month as yyyy-MM.");
        RuleFor(r => r.To).Must(m => Month.TryParse(m, out _)).When(r => r.To is not null).WithMessage("Must be a month as yyyy-MM.");
        RuleFor(r => r).Must(r => Range(r) is not { } range || range.From <= range.To)
            .OverridePropertyName("from").WithMessage("from must not be after to.");
        RuleFor(r => r).Must(r => Range(r) is not { } range || Month.Between(range.From, range.To) <= MaxMonths)
            .OverridePropertyName("to").WithMessage($"At most {MaxMonths} months at a time.");
    }

    private static (DateOnly From, DateOnly To)? Range(Request r) =>
        Month.TryParse(r.From, out var from) && Month.TryParse(r.To, out var to) ? (from, to) : null;
}

/// <summary>Months as the API writes them: yyyy-MM, a UTC calendar month, kept as its first day.</summary>
public static class Month
{
    public static bool TryParse(string? text, out DateOnly first) =>
        DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out first);

    public static string Format(DateOnly first) => first.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>How many months from..to, both included.</summary>
    public static int Between(DateOnly from, DateOnly to) => ((to.Year - from.Year) * 12) + to.Month - from.Month + 1;

    public static DateOnly Of(DateTimeOffset at) => new(at.UtcDateTime.Year, at.UtcDateTime.Month, 1);
}

/// <summary>
/// One cohort: the organization's referrers whose first referral was in this UTC month, and every invitation they
/// sent since. invitesPerReferrer = invites ÷ referrers; conversionRate = conversions ÷ invites (converted: the
/// referred person subscribed); kFactor = invitesPerReferrer × conversionRate. A month without new referrers has zeros.
/// </summary>
public sealed record Cohort(string Month, long Referrers, long Invites, long Signups, long Conversions,
    decimal InvitesPerReferrer, decimal ConversionRate, decimal KFactor);

/// <summary>The cohorts of from..to (UTC months, inclusive), oldest first, every month present.</summary>
public sealed record Response(string From, string To, string TimeZone, IReadOnlyList<Cohort> Cohorts);
