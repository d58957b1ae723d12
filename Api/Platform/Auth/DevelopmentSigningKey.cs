namespace WedSync.Api.Platform.Auth;

/// <summary>
/// Development only: when no Auth:SigningKey is configured, use the key the AppHost generated and keeps
/// in its user secrets (parameter <c>jwt-signing-key</c>). The API started alone and the <c>token</c>
/// command then agree with the API the AppHost runs, without anyone copying a secret around.
/// </summary>
public static class DevelopmentSigningKey
{
    /// <summary>The AppHost project's UserSecretsId.</summary>
    public const string AppHostUserSecretsId = "wedsync-aspire-apphost";

    public const string AppHostParameterKey = "Parameters:jwt-signing-key";

    public static void AddTo(IConfigurationManager configuration)
    {
        if (!string.IsNullOrEmpty(configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.SigningKey)}"]))
        {
            return;
        }

        var appHostSecrets = new ConfigurationBuilder().AddUserSecrets(AppHostUserSecretsId).Build();
        var key = appHostSecrets[AppHostParameterKey];
        if (!string.IsNullOrEmpty(key))
        {
            configuration.AddInMemoryCollection([new($"{AuthOptions.SectionName}:{nameof(AuthOptions.SigningKey)}", key)]);
        }
    }
}
