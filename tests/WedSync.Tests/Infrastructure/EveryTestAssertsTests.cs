using System.Reflection;

namespace WedSync.Tests.Infrastructure;

/// <summary>
/// A test without an assertion passes whatever the product does. Every test method must reach a call into
/// xUnit's <see cref="Assert"/>, itself or through the test project's own helpers, read from the IL.
/// </summary>
public sealed class EveryTestAssertsTests
{
    private static readonly Assembly Tests = typeof(EveryTestAssertsTests).Assembly;

    [Fact]
    public void Every_test_reaches_an_assertion()
    {
        var tests = Tests.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(method => method.GetCustomAttribute<FactAttribute>() is { Skip: null })
            .ToList();
        Assert.True(tests.Count > 100, $"only {tests.Count} test methods found: the scan reads the wrong assembly");

        var reaches = new Dictionary<MethodBase, bool>();
        var without = tests.Where(test => !ReachesAssert(test, reaches, []))
            .Select(test => $"{test.DeclaringType!.FullName}.{test.Name}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(without.Count == 0, $"{without.Count} test(s) without an assertion:\n{string.Join('\n', without)}");
    }

    [Fact]
    public void A_test_without_an_assertion_is_found_and_one_through_a_helper_is_not()
    {
        var reaches = new Dictionary<MethodBase, bool>();

        Assert.False(ReachesAssert(Sample(nameof(Samples.Calls_only)), reaches, []));
        Assert.True(ReachesAssert(Sample(nameof(Samples.Asserts_in_a_helper_after_an_await)), reaches, []));
        Assert.True(ReachesAssert(Sample(nameof(Samples.Asserts_in_a_lambda)), reaches, []));
    }

    private static MethodInfo Sample(string name) => typeof(Samples).GetMethod(name)!;

    /// <summary>Whether the method, or a method of the test project it calls, calls xUnit's Assert.</summary>
    private static bool ReachesAssert(MethodBase method, Dictionary<MethodBase, bool> known, HashSet<MethodBase> visiting)
    {
        if (known.TryGetValue(method, out var answer))
        {
            return answer;
        }

        if (!visiting.Add(method))
        {
            return false;
        }

        answer = false;
        foreach (var callee in MethodCalls.Of(method))
        {
            if (callee.DeclaringType == typeof(Assert)
                || (callee.Module.Assembly == Tests && ReachesAssert(Definition(callee), known, visiting)))
            {
                answer = true;
                break;
            }
        }

        visiting.Remove(method);
        known[method] = answer;
        return answer;
    }

    // A call to a generic method or a method of a generic type names its instantiation; its IL is the definition's.
    private static MethodBase Definition(MethodBase method) =>
        method.IsGenericMethod || method.DeclaringType is { IsGenericType: true } ? method.Module.ResolveMethod(method.MetadataToken)! : method;

    /// <summary>Shapes of tests for the scan's own test; not tests themselves (no [Fact]).</summary>
    public static class Samples
    {
        public static void Calls_only() => _ = string.Concat("a", "b");

        public static async Task Asserts_in_a_helper_after_an_await()
        {
            await Task.Yield();
            Check(1);
        }

        public static void Asserts_in_a_lambda()
        {
            Action check = () => Assert.Equal(1, 1);
            check();
        }

        private static void Check(int value) => Assert.Equal(1, value);
    }
}
