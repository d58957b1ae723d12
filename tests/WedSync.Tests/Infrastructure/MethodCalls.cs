using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace WedSync.Tests.Infrastructure;

/// <summary>
/// The methods a method's IL calls (call, callvirt, newobj) or takes as a delegate (ldftn), read from its
/// body; an async or iterator method is read through its state machine's MoveNext, where its code lives.
/// </summary>
public static class MethodCalls
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    public static IEnumerable<MethodBase> Of(MethodBase method)
    {
        var bodies = new List<MethodBase> { method };
        if (method.GetCustomAttribute<StateMachineAttribute>() is { } machine
            && machine.StateMachineType.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public) is { } moveNext)
        {
            bodies.Add(moveNext);
        }

        return bodies.SelectMany(Read);
    }

    private static IEnumerable<MethodBase> Read(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var genericTypeArguments = method.DeclaringType is { IsGenericType: true } type ? type.GetGenericArguments() : null;
        var genericMethodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }

            var code = OpCodesByValue[value];
            var operandStart = position;
            position += OperandSize(code, il, position);
            if (code.OperandType == OperandType.InlineMethod)
            {
                var token = BitConverter.ToInt32(il, operandStart);
                MethodBase? callee;
                try
                {
                    callee = method.Module.ResolveMethod(token, genericTypeArguments, genericMethodArguments);
                }
                catch (Exception ex) when (ex is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException)
                {
                    callee = null;
                }

                if (callee is not null)
                {
                    yield return callee;
                }
            }
        }
    }

    private static int OperandSize(OpCode code, byte[] il, int position) => code.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        // A switch: a count, then that many 4-byte targets.
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
        _ => 4,
    };
}
