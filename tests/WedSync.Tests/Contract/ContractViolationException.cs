namespace WedSync.Tests.Contract;

/// <summary>An answer of the API that its OpenAPI document does not allow; fails the test that caused it.</summary>
public sealed class ContractViolationException(string message) : Exception(message);
