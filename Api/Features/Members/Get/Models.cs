namespace WedSync.Api.Features.Members.Get;

public sealed class Request
{
    /// <summary>The member's id (user_profiles.id).</summary>
    public Guid Id { get; init; }
}
