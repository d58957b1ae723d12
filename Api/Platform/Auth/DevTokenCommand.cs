using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace WedSync.Api.Platform.Auth;

/// <summary>
/// <c>dotnet run --project Api -- token owner@evergreen.test [--roles platform_admin] [--hours 8]</c>
/// prints a bearer token for a demo user (or any user id), signed with the same Auth settings the API
/// validates with. Development only: no deployed API can mint its own tokens.
/// </summary>
public static class DevTokenCommand
{
    public const string Verb = "token";

    private const string Usage = "usage: token <demo-user-email|user-id> [--roles platform_admin,service] [--hours 8]";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Verb;

    public static int Run(string[] args, IConfigurationManager configuration, IHostEnvironment environment)
    {
        if (!environment.IsDevelopment())
        {
            Console.Error.WriteLine($"The '{Verb}' command exists only in Development (ASPNETCORE_ENVIRONMENT is '{environment.EnvironmentName}').");
            return 2;
        }

        if (!TryParse(args.Skip(1).ToArray(), out var subject, out var roles, out var lifetime, out var error))
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        DevelopmentSigningKey.AddTo(configuration);
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        if (auth.UsesAuthority)
        {
            Console.Error.WriteLine("Auth:Authority is set: tokens come from that provider, not from this command.");
            return 2;
        }

        var validation = new AuthOptionsValidator(environment).Validate(null, auth);
        if (validation.Failed || string.IsNullOrEmpty(auth.SigningKey))
        {
            Console.Error.WriteLine(validation.FailureMessage ?? "Auth:SigningKey is not configured: run the AppHost once (it generates the key), or set Auth__SigningKey.");
            return 2;
        }

        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { [ClaimNames.Subject] = subject.ToString(), [ClaimNames.Roles] = roles };
        if (args[1].Contains('@'))
        {
            claims[ClaimNames.Email] = args[1];
        }

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(AuthenticationSetup.CreateSigningKey(auth.SigningKey), SecurityAlgorithms.HmacSha256),
        });
        Console.WriteLine(token);
        return 0;
    }

    private static bool TryParse(string[] args, out Guid subject, out string[] roles, out TimeSpan lifetime, out string error)
    {
        subject = Guid.Empty;
        roles = [];
        lifetime = TimeSpan.FromHours(8);
        error = "";
        if (args.Length == 0)
        {
            error = "Name a demo user (" + string.Join(", ", DemoUsers.ByEmail.Keys) + ") or a user id.";
            return false;
        }

        if (!DemoUsers.ByEmail.TryGetValue(args[0], out subject) && !Guid.TryParse(args[0], out subject))
        {
            error = $"'{args[0]}' is neither a demo user (" + string.Join(", ", DemoUsers.ByEmail.Keys) + ") nor a user id.";
            return false;
        }

        var collected = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--roles" when i + 1 < args.Length:
                    collected.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--hours" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var hours) && hours > 0:
                    lifetime = TimeSpan.FromHours(hours);
                    i++;
                    break;
                default:
                    error = $"Unknown argument '{args[i]}'.";
                    return false;
            }
        }

        roles = collected.Distinct().ToArray();
        return true;
    }
}
