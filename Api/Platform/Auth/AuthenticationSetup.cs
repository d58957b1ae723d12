using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace WedSync.Api.Platform.Auth;

public static class AuthenticationSetup
{
    /// <summary>
    /// Bearer JWT validated by ASP.NET Core's handler: issuer, audience, lifetime and signature. The
    /// claims keep their token names (<c>sub</c>, <c>roles</c>) because SQL reads the same names.
    /// </summary>
    public static WebApplicationBuilder AddWedSyncAuthentication(this WebApplicationBuilder builder)
    {
        if (builder.Environment.IsDevelopment())
        {
            DevelopmentSigningKey.AddTo(builder.Configuration);
        }

        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, IHostEnvironment, ILoggerFactory>(Configure)
            // After the handler's own post-configuration has created the provider's configuration manager:
            // only the keys the provider publishes now validate tokens. IdentityModel otherwise also tries
            // earlier ("last known good") key sets for an hour, so a key the provider withdrew (compromised,
            // retired) kept validating tokens after the API had fetched the set without it. When the
            // provider cannot be reached, the set fetched last stays in use either way.
            .PostConfigure(jwt =>
            {
                if (jwt.ConfigurationManager is BaseConfigurationManager provider)
                {
                    provider.UseLastKnownGoodConfiguration = false;
                }
            });
        builder.Services.AddAuthorization();
        return builder;
    }

    private static void Configure(JwtBearerOptions jwt, IOptions<AuthOptions> authOptions, IHostEnvironment environment, ILoggerFactory loggers)
    {
        var auth = authOptions.Value;
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidAudience = auth.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = auth.ClockSkew,
            NameClaimType = ClaimNames.Subject,
            RoleClaimType = ClaimNames.Roles,
        };

        if (auth.UsesAuthority)
        {
            // Keys and issuer come from the provider's discovery document.
            jwt.Authority = auth.Authority;
            jwt.RequireHttpsMetadata = !environment.IsDevelopment();
            jwt.RefreshOnIssuerKeyNotFound = true;
            jwt.RefreshInterval = auth.KeyRefreshInterval;
            jwt.AutomaticRefreshInterval = auth.KeySetMaxAge;
            if (!string.IsNullOrWhiteSpace(auth.Issuer))
            {
                jwt.TokenValidationParameters.ValidIssuer = auth.Issuer;
            }

            return;
        }

        jwt.TokenValidationParameters.ValidIssuer = auth.Issuer;
        jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        if (string.IsNullOrEmpty(auth.SigningKey))
        {
            // Only reachable in Development (the validator refuses it elsewhere): a random key keeps
            // the API up for anonymous endpoints while no token can pass.
            loggers.CreateLogger(typeof(AuthenticationSetup)).LogWarning(
                "Auth:SigningKey is not configured: every bearer token will be rejected. Run the AppHost once, or set Auth__SigningKey.");
            jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(64));
            return;
        }

        jwt.TokenValidationParameters.IssuerSigningKey = CreateSigningKey(auth.SigningKey);
    }

    public static SymmetricSecurityKey CreateSigningKey(string signingKey) => new(Encoding.UTF8.GetBytes(signingKey));
}
