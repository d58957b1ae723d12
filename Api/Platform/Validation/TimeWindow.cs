using FluentValidation;

namespace WedSync.Api.Platform.Validation;

/// <summary>
/// A window given by <c>from</c> and/or <c>to</c> (the missing end filled in as the endpoint documents):
/// bounded whichever ends are given, so no request asks to scan decades of history.
/// </summary>
public static class TimeWindow
{
    /// <summary>The longest window: the longest query history retention the settings allow.</summary>
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(400);

    public const string Documentation = "The window (from, to] is at most 400 days long, whichever ends are given; else 400.";

    /// <summary>to after from, and at most <see cref="MaxLength"/> apart once the missing end is filled in (to: now, from: a day before to).</summary>
    public static void WindowRules<T>(this AbstractValidator<T> validator, Func<T, DateTimeOffset?> from, Func<T, DateTimeOffset?> to)
    {
        validator.RuleFor(r => to(r))
            .Must((r, end) => end > from(r)).When(r => from(r) is not null && to(r) is not null).WithMessage("Must be after from.")
            .OverridePropertyName("to");
        validator.RuleFor(r => from(r))
            .Must((r, start) => (to(r) ?? DateTimeOffset.UtcNow) - start!.Value <= MaxLength)
            .When(r => from(r) is not null && (to(r) is null || to(r) > from(r)))
            .WithMessage("The window from..to must be at most 400 days long.")
            .OverridePropertyName("from");
    }
}
