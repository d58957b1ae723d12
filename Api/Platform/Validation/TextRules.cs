using FluentValidation;

namespace WedSync.Api.Platform.Validation;

/// <summary>Validation rules that more than one feature applies to the same kind of value.</summary>
public static class TextRules
{
    /// <summary>
    /// A name people read: not blank, bounded, and free of control characters (PostgreSQL rejects NUL
    /// in text outright, and the others only ever arrive by mistake or by attack).
    /// </summary>
    public static IRuleBuilderOptions<T, string> DisplayText<T>(this IRuleBuilder<T, string> rule, int maxLength) =>
        rule.Must(text => !string.IsNullOrWhiteSpace(text)).WithMessage("Must not be blank.")
            .MaximumLength(maxLength).WithMessage($"Must be at most {maxLength} characters.")
            .Must(text => !text.Any(char.IsControl)).WithMessage("Must not contain control characters.");
}
