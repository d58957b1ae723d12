using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace WedSync.Api.Platform.Auth;

/// <summary>
/// Runs at startup (ValidateOnStart): a misconfigured API must refuse to start with a message that
/// names the setting, not accept requests and answer 401 to everyone.
/// </summary>
public sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Auth:Audience is required: tokens are only accepted for this API's audience.");
        }

        if (options.UsesAuthority)
        {
            // IdentityModel's own floors (ConfigurationManager.MinimumRefreshInterval, MinimumAutomaticRefreshInterval):
            // below them its configuration manager throws while the API starts, naming neither setting.
            if (options.KeyRefreshInterval < ConfigurationManager<OpenIdConnectConfiguration>.MinimumRefreshInterval)
            {
                failures.Add($"Auth:KeyRefreshInterval must be at least {ConfigurationManager<OpenIdConnectConfiguration>.MinimumRefreshInterval}.");
            }

            if (options.KeySetMaxAge < ConfigurationManager<OpenIdConnectConfiguration>.MinimumAutomaticRefreshInterval || options.KeySetMaxAge < options.KeyRefreshInterval)
            {
                failures.Add($"Auth:KeySetMaxAge must be at least {ConfigurationManager<OpenIdConnectConfiguration>.MinimumAutomaticRefreshInterval} and at least Auth:KeyRefreshInterval.");
            }

            if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority)
                || (authority.Scheme != Uri.UriSchemeHttps && !environment.IsDevelopment()))
            {
                failures.Add("Auth:Authority must be an absolute https URL (the OIDC issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0).");
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(options.Issuer))
            {
                failures.Add("Auth:Issuer is required when tokens are signed with Auth:SigningKey.");
            }

            var keyBytes = options.SigningKey is null ? 0 : Encoding.UTF8.GetByteCount(options.SigningKey);
            // Development may start without a key (it then rejects every token and says so in the log);
            // a key that is present but short is a mistake in every environment.
            var missing = keyBytes == 0;
            if ((missing && !environment.IsDevelopment()) || (!missing && keyBytes < AuthOptions.MinimumSigningKeyBytes))
            {
                failures.Add(
                    $"Auth:SigningKey must be at least {AuthOptions.MinimumSigningKeyBytes} bytes (it is {keyBytes}). "
                    + "Under the AppHost it comes from the secret parameter 'jwt-signing-key'; otherwise set the environment "
                    + "variable Auth__SigningKey, or set Auth:Authority to validate tokens of an OIDC provider instead.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
