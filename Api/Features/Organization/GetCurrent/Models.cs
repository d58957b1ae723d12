namespace WedSync.Api.Features.Organization.GetCurrent;

public sealed record Response(Guid Id, string Name, string Slug, string Role, DateTime CreatedAt, DateTime UpdatedAt);
