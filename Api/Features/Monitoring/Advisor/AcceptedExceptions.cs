using System.Text.RegularExpressions;

namespace WedSync.Api.Features.Monitoring.Advisor;

/// <summary>
/// Deliberate exceptions, written in the catalog where the object is: a line
/// <c>advisor: allow &lt;check&gt;: &lt;reason&gt;</c> in the comment of a function, view, table, policy,
/// constraint, index, extension… (COMMENT ON … IS). A finding of that check about that object is
/// accepted: shown with the reason, left out of the counts and the summary. A comment may hold
/// several such lines beside its ordinary text; the reason runs to the end of its line, and a line
/// without a reason accepts nothing.
/// </summary>
public static partial class AcceptedExceptions
{
    /// <summary>
    /// Every annotated object as the checks name it: functions as schema.name(arguments as
    /// pg_get_function_identity_arguments prints them), everything else as pg_identify_object does
    /// (schema.table, policy on schema.table, constraint on schema.table, schema.index, extension).
    /// Reads pg_description only, whose rows are comments: cheap however many tables there are.
    /// </summary>
    public const string Sql = """
        SELECT coalesce((SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
                         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                         WHERE d.classoid = 'pg_proc'::regclass AND p.oid = d.objoid),
                        (pg_identify_object(d.classoid, d.objoid, d.objsubid)).identity) AS object_name,
               d.description
        FROM pg_description d
        WHERE d.description LIKE '%advisor:%allow%'
        """;

    /// <summary>The reasons given in one comment, by check.</summary>
    public static IEnumerable<(string Check, string Reason)> Parse(string comment) =>
        AllowLine().Matches(comment).Select(m => (m.Groups["check"].Value, m.Groups["reason"].Value.Trim()));

    /// <summary>The reason an annotation gives for this finding, or null when none accepts it.</summary>
    public static string? ReasonFor(Finding finding, IReadOnlyList<Annotation> annotations)
    {
        foreach (var annotation in annotations)
        {
            if (annotation.Check == finding.Check && Names(finding.Object, annotation.Object))
            {
                return annotation.Reason;
            }
        }

        return null;
    }

    /// <summary>
    /// A finding is about the annotated object when its object text is the object's name, or starts
    /// with it and goes on with what the checks append: " on …", " (columns)", ": details".
    /// </summary>
    private static bool Names(string findingObject, string annotatedObject) =>
        findingObject.StartsWith(annotatedObject, StringComparison.Ordinal)
        && (findingObject.Length == annotatedObject.Length || findingObject[annotatedObject.Length] is ' ' or ':' or '(');

    [GeneratedRegex(@"\badvisor:[ \t]*allow[ \t]+(?<check>[a-z0-9_]+)[ \t]*:[ \t]*(?<reason>\S[^\r\n]*)", RegexOptions.CultureInvariant)]
    private static partial Regex AllowLine();
}

/// <summary>One <c>advisor: allow</c> line: the object it is written on, the check it accepts, and why.</summary>
public sealed record Annotation(string Object, string Check, string Reason);
